using TorchSharp;
using static TorchSharp.torch;

namespace Derby.Learning.Training;

/// <summary>Turns pairs into the network's input tensors.</summary>
public static class PairTensors
{
    /// <summary>PET N × 1 × S × S and CT N × 3 × S × S tensors of <paramref name="pairs"/>[start..start+count) on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">Pairs of different crop sizes.</exception>
    public static (Tensor Pet, Tensor Ct) Batch(IReadOnlyList<PairInput> pairs, int start, int count, Device device) =>
        Batch(pairs, start, count, device, null);

    /// <summary>
    /// As <see cref="Batch(IReadOnlyList{PairInput}, int, int, Device)"/>, each pair's planes (PET and its three CT slices
    /// alike) turned by the square's symmetry <paramref name="symmetries"/>[i] (0..7, see <see cref="Dihedral"/>); null
    /// leaves them as they are.
    /// </summary>
    public static (Tensor Pet, Tensor Ct) Batch(IReadOnlyList<PairInput> pairs, int start, int count, Device device, IReadOnlyList<int>? symmetries)
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

            var k = symmetries?[i] ?? 0;
            if (k == 0)
            {
                pair.Pet.CopyTo(pet, i * plane);
                pair.Ct.CopyTo(ct, i * 3 * plane);
            }
            else
            {
                Dihedral.Apply(pair.Pet.AsSpan(0, plane), pet.AsSpan(i * plane, plane), s, k);
                for (var c = 0; c < 3; c++)
                {
                    Dihedral.Apply(pair.Ct.AsSpan(c * plane, plane), ct.AsSpan((i * 3 + c) * plane, plane), s, k);
                }
            }
        }

        using var scope = NewDisposeScope();
        var petTensor = tensor(pet, [count, 1, s, s]).to(device);
        var ctTensor = tensor(ct, [count, 3, s, s]).to(device);
        return (petTensor.MoveToOuterDisposeScope(), ctTensor.MoveToOuterDisposeScope());
    }
}
