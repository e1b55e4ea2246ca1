using Derby.Learning.Networks;
using Derby.Learning.Training;
using TorchSharp;

namespace Derby.Learning.Explain;

/// <summary>Grad-CAM maps of one pair for both branches of <see cref="DerbyPairNet"/>, each at the crop size.</summary>
/// <param name="Pet">The PET branch's map (target: EfficientNet's last stage).</param>
/// <param name="Ct">The CT branch's map (target: the 1×1 fusion of the three slices).</param>
public sealed record PairGradCam(GradCamMap Pet, GradCamMap Ct)
{
    /// <summary>
    /// Maps for every pair, for the responder class by default. At a crop of S the layers are S/32 wide (2 × 2 at 64),
    /// so the maps are coarse, as in the paper's figure.
    /// </summary>
    public static PairGradCam[] Compute(DerbyPairNet network, IReadOnlyList<PairInput> pairs, torch.Device device, int classIndex = 1, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        network.to(device);
        var result = new List<PairGradCam>(pairs.Count);
        for (var start = 0; start < pairs.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var count = Math.Min(batchSize, pairs.Count - start);
            var (pet, ct) = PairTensors.Batch(pairs, start, count, device);
            var s = pairs[start].CropSize;
            var maps = GradCam.Compute(network, () => network.call(pet, ct), [network.PetTargetLayer, network.CtTargetLayer], classIndex, s, s);
            for (var i = 0; i < count; i++)
            {
                result.Add(new PairGradCam(maps[0][i], maps[1][i]));
            }
        }

        return [.. result];
    }
}
