using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Training;

/// <summary>Turns pairs into the network's input tensors.</summary>
public static class PairTensors
{
    /// <summary>PET N × 1 × S × S and CT N × 3 × S × S tensors of <paramref name="pairs"/>[start..start+count) on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">Pairs of different crop sizes.</exception>
    public static (Tensor Pet, Tensor Ct) Batch(IReadOnlyList<PairInput> pairs, int start, int count, Device device)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var s = pairs[start].CropSize;
        var plane = s * s;
        var pet = new float[count * plane];
        var ct = new float[count * 3 * plane];
        for (var i = 0; i < count; i++)
        {
            var pair = pairs[start + i];
            if (pair.CropSize != s)
            {
                throw new ArgumentException($"All pairs of a batch need one crop size; pair {start + i} has {pair.CropSize}, the first {s}.", nameof(pairs));
            }

            pair.Pet.CopyTo(pet, i * plane);
            pair.Ct.CopyTo(ct, i * 3 * plane);
        }

        using var scope = NewDisposeScope();
        var petTensor = tensor(pet, [count, 1, s, s]).to(device);
        var ctTensor = tensor(ct, [count, 3, s, s]).to(device);
        return (petTensor.MoveToOuterDisposeScope(), ctTensor.MoveToOuterDisposeScope());
    }
}
