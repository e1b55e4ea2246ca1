using System.Diagnostics;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imaging;
using Derby.Application.Segmentation;
using Derby.Domain;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Synthetic;
using Derby.Synthetic.Output;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>What the synthetic physician did.</summary>
internal sealed record TruthLesionsResult(int Patients, int Lesions, int Accepted, int Empty, int Failed, int Pairs, double Seconds);

/// <summary>
/// The "synthetic physician" of the synthetic study: for every stored patient in the generator's ground truth, a box around
/// each true lesion (its centre ± semi-axes + a margin, in the stored PET grid), the platform's own segmentation, accept,
/// and the 2.5D pairs. Idempotent: the same box gives back the same lesion, so a rerun creates nothing new.
/// </summary>
internal static class TruthLesions
{
    /// <summary>Margin around the true ellipsoid, mm (the segmentation needs background around the lesion).</summary>
    private const double MarginMm = 8;

    public static async Task<TruthLesionsResult> RunAsync(IServiceProvider services, GroundTruth truth, double minDiameterCm, IReadOnlySet<string> except,
        Action<string>? log, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var lesions = services.GetRequiredService<LesionService>();
        var queries = services.GetRequiredService<ImagingQueries>();
        var stored = new Dictionary<string, (Guid Patient, Guid Pet)>();
        await using (var db = await services.GetRequiredService<IDerbyDbContextFactory>().CreateAsync(cancellationToken))
        {
            var pets = await db.ImagingSeries.AsNoTracking().Where(s => s.Modality == ImagingModality.Pet)
                .OrderByDescending(s => s.ReceivedUtc).Select(s => new { s.Patient!.Pseudonym, s.PatientId, s.Id }).ToListAsync(cancellationToken);
            foreach (var p in pets)
            {
                stored.TryAdd(p.Pseudonym, (p.PatientId, p.Id));
            }
        }

        int patients = 0, count = 0, accepted = 0, empty = 0, failed = 0, pairs = 0;
        foreach (var patient in truth.Patients.Where(p => p.Imaging is not null && !except.Contains(p.Pseudonym)).OrderBy(p => p.Pseudonym, StringComparer.Ordinal))
        {
            if (!stored.TryGetValue(patient.Pseudonym, out var ids))
            {
                continue;
            }

            patients++;
            var wanted = patient.Imaging!.Lesions.Count(l => l.DiameterCm >= minDiameterCm);
            await using (var db = await services.GetRequiredService<IDerbyDbContextFactory>().CreateAsync(cancellationToken))
            {
                // Done on an earlier run (as many accepted lesions with pairs as true lesions): skip without reading the series.
                var done = await db.Lesions.Where(l => l.PatientId == ids.Patient && l.Status == LesionStatus.Accepted && l.PairSets.Any())
                    .Select(l => new { Pairs = l.PairSets.Sum(s => s.PairCount) }).ToListAsync(cancellationToken);
                if (done.Count >= wanted)
                {
                    count += wanted;
                    accepted += done.Count;
                    pairs += done.Sum(d => d.Pairs);
                    continue;
                }
            }

            var geometry = await queries.GeometryOfAsync(AccessScope.System, ids.Pet, cancellationToken);
            foreach (var truthLesion in patient.Imaging!.Lesions.Where(l => l.DiameterCm >= minDiameterCm))
            {
                count++;
                var box = BoxOf(geometry, truthLesion);
                var lesion = await lesions.RequestAsync(AccessScope.System, ids.Patient, new LesionRequest(ids.Pet, box, null), cancellationToken);
                await lesions.RunSegmentationAsync(lesion.Id, cancellationToken);
                lesion = await lesions.GetAsync(AccessScope.System, lesion.Id, cancellationToken);
                if (lesion.Status == LesionStatus.Segmented && lesion.Voxels > 0)
                {
                    await lesions.AcceptAsync(AccessScope.System, lesion.Id, cancellationToken);
                }

                lesion = await lesions.GetAsync(AccessScope.System, lesion.Id, cancellationToken);
                if (lesion.Status == LesionStatus.Accepted)
                {
                    await lesions.BuildPairsAsync(lesion.Id, cancellationToken);
                    lesion = await lesions.GetAsync(AccessScope.System, lesion.Id, cancellationToken);
                    accepted++;
                    pairs += lesion.PairCount;
                }
                else if (lesion.Status == LesionStatus.Failed)
                {
                    failed++;
                }
                else
                {
                    empty++;
                }

                log?.Invoke($"{patient.Pseudonym}: lesion {truthLesion.DiameterCm:F1} cm, box {box}: {lesion.Status.ToString().ToLowerInvariant()}, {lesion.PairCount} pairs");
            }
        }

        return new TruthLesionsResult(patients, count, accepted, empty, failed, pairs, Math.Round(watch.Elapsed.TotalSeconds, 1));
    }

    /// <summary>Reads the generator's truth.json.</summary>
    public static GroundTruth Read(string path) =>
        JsonSerializer.Deserialize<GroundTruth>(File.ReadAllText(path), SyntheticStudyGenerator.Json)
        ?? throw new InvalidDataException($"{path} is not a ground-truth file");

    /// <summary>The voxel box around the true ellipsoid plus the margin (its 8 bounding corners, in the stored grid).</summary>
    internal static VoxelBox BoxOf(SeriesGeometry geometry, LesionTruth lesion)
    {
        var corners = new List<double[]>();
        foreach (var sx in new[] { -1, 1 })
        {
            foreach (var sy in new[] { -1, 1 })
            {
                foreach (var sz in new[] { -1, 1 })
                {
                    corners.Add([
                        lesion.CenterMm[0] + (sx * (lesion.SemiAxesMm[0] + MarginMm)),
                        lesion.CenterMm[1] + (sy * (lesion.SemiAxesMm[1] + MarginMm)),
                        lesion.CenterMm[2] + (sz * (lesion.SemiAxesMm[2] + MarginMm)),
                    ]);
                }
            }
        }

        return SeriesGeometryMath.BoxAround(geometry, corners);
    }
}
