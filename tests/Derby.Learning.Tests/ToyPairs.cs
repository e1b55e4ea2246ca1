using Derby.Learning.Training;

namespace Derby.Learning.Tests;

/// <summary>Small synthetic pairs: noise, with a bright PET blob (and a denser CT spot) on the responders.</summary>
internal static class ToyPairs
{
    public static (PairInput[] Pairs, int[] Labels) Make(int count, int size, int seed)
    {
        var random = new Random(seed);
        var pairs = new PairInput[count];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            var label = n % 2;
            var pet = new float[size * size];
            var ct = new float[3 * size * size];
            for (var i = 0; i < pet.Length; i++)
            {
                pet[i] = 0.2f * random.NextSingle();
            }

            for (var i = 0; i < ct.Length; i++)
            {
                ct[i] = 0.3f + (0.2f * random.NextSingle());
            }

            if (label == 1)
            {
                var cx = random.Next(6, size - 6);
                var cy = random.Next(6, size - 6);
                for (var y = 0; y < size; y++)
                {
                    for (var x = 0; x < size; x++)
                    {
                        var d2 = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy));
                        if (d2 <= 9)
                        {
                            pet[(y * size) + x] = 0.9f;
                            ct[(size * size) + (y * size) + x] = 0.8f;
                        }
                    }
                }
            }

            pairs[n] = new PairInput(pet, ct, size);
            labels[n] = label;
        }

        return (pairs, labels);
    }
}
