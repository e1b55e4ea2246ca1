using Derby.Imaging.Pairs;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Imaging.Tests.Series;
using Derby.Synthetic;
using Derby.Synthetic.Clinical;
using Derby.Synthetic.Output;
using Derby.Synthetic.Phantom;

namespace Derby.Imaging.Tests.Pairs;

/// <summary>
/// Pairs of a synthetic patient's real DICOM (GDCM, SeriesAssembler, SuvCalculator, VolumeBuilder) against the generator's
/// truth: the lesion ellipsoid and the CT it rendered there.
/// </summary>
[Collection(SyntheticStudyCollection.Name)]
public sealed class PairBuilderSyntheticTests(SyntheticStudyFixture study)
{
    [Fact]
    public void Build_PairsEveryPetSliceCrossingTheLesion_WithTheLesionsCtAndAHotPetCentre()
    {
        // The largest lesion of the study: CT's 4 mm pixels around its centre are all inside it.
        var (patient, lesion) = study.UnfaultedPatients.Where(p => p.Imaging is { Lesions.Count: > 0 })
            .Select(p => (Patient: p, Lesion: p.Imaging!.Lesions[0])).MaxBy(x => x.Lesion.VolumeMl);
        var petSlices = study.Slices(patient, "PT");
        var petSeries = Assert.Single(SeriesAssembler.Assemble(petSlices));
        var ctSeries = Assert.Single(SeriesAssembler.Assemble(study.Slices(patient, "CT")));
        var pet = petSeries.Geometry!;
        var ct = ctSeries.Geometry!;
        var suv = VolumeBuilder.BuildSuv(petSeries, study.Reader, SuvCalculator.Compute(petSlices.Select(s => s.Dataset).ToList()).SuvFactor);
        var hu = VolumeBuilder.BuildHu(ctSeries, study.Reader);
        var (mask, perSlice) = TruthMask(lesion, pet);
        var settings = new PairSettings { CropSize = 16 };

        var set = PairBuilder.Build(suv, pet, hu, ct, mask, settings);

        // One pair per PET slice with a voxel centre inside the ellipsoid, with that slice's count.
        Assert.True(perSlice.Count >= 3, $"{perSlice.Count} slices");
        Assert.Equal(perSlice.Keys.Order(), set.Pairs.Select(p => p.PetSlice));
        Assert.Equal(perSlice.OrderBy(s => s.Key).Select(s => s.Value), set.Pairs.Select(p => p.RoiArea));

        // Stored and read back as training and scoring will read it.
        using (var stream = new MemoryStream())
        {
            PairSetFile.Write(stream, set);
            stream.Position = 0;
            var back = PairSetFile.Read(stream);
            Assert.Equal(set.Pairs.Select(p => p.RoiArea), back.Pairs.Select(p => p.RoiArea));
            Assert.Equal(set.Pairs[^1].Ct, back.Pairs[^1].Ct);
            Assert.Equal(ct.FrameOfReferenceUid, back.Ct.FrameOfReferenceUid);
        }

        // The central pair: the PET slice nearest the lesion centre; its crop centre pixel near the lesion centre.
        var central = set.Pairs.MinBy(p => Math.Abs(pet.FirstPosition[2] + p.PetSlice * pet.SliceSpacing - lesion.CenterMm[2]))!;
        var (column, row) = (central.CropX0 + 8, central.CropY0 + 8);
        var x = pet.FirstPosition[0] + column * pet.PixelSpacing[1];
        var y = pet.FirstPosition[1] + row * pet.PixelSpacing[0];
        var z = pet.FirstPosition[2] + central.PetSlice * pet.SliceSpacing;
        Assert.True(Math.Abs(x - lesion.CenterMm[0]) <= pet.PixelSpacing[1] && Math.Abs(y - lesion.CenterMm[1]) <= pet.PixelSpacing[0],
            $"crop centre ({x}, {y}) vs lesion ({lesion.CenterMm[0]}, {lesion.CenterMm[1]})");

        // CT by hand: axial grids, so (x, y, z) → CT (u, v, k) by offsets and spacings; bilinear in slice k.
        var k = (int)Math.Round((z - ct.FirstPosition[2]) / ct.SliceSpacing);
        Assert.Equal([k - 1, k, k + 1], central.CtSlices);
        var u = (x - ct.FirstPosition[0]) / ct.PixelSpacing[1];
        var v = (y - ct.FirstPosition[1]) / ct.PixelSpacing[0];
        var (c0, r0) = ((int)Math.Floor(u), (int)Math.Floor(v));
        var (t, s) = (u - c0, v - r0);
        var byHand = (1 - s) * ((1 - t) * Grids.At(hu, ct, c0, r0, k) + t * Grids.At(hu, ct, c0 + 1, r0, k))
            + s * ((1 - t) * Grids.At(hu, ct, c0, r0 + 1, k) + t * Grids.At(hu, ct, c0 + 1, r0 + 1, k));
        var centre = central.CtChannel(1)[8 * 16 + 8];
        Assert.True(Math.Abs(settings.NormalizeHu(byHand) - centre) < 1e-6, $"{centre} vs {settings.NormalizeHu(byHand)} ({byHand} HU)");

        // The generator's noise-free HU at those four CT voxels (all inside the lesion: core or rim), plus the site's
        // offset: the sampled value is within the scanner's noise (a weighted mean of four draws of σ) of it.
        var anatomy = Anatomy.Create(ClinicalGenerator.Generate(StudyScale.Small, SyntheticStudyFixture.Seed).Single(p => p.Pseudonym == patient.Pseudonym),
            StudyScale.Small.Geometry.AxialExtentMm / 2, SyntheticRandom.For(SyntheticStudyFixture.Seed, patient.Pseudonym));
        var scanner = ScannerProfile.For(patient.Site);
        double NoiseFree(int c, int r)
        {
            var (px, py, pz) = (ct.FirstPosition[0] + c * ct.PixelSpacing[1], ct.FirstPosition[1] + r * ct.PixelSpacing[0], ct.FirstPosition[2] + k * ct.SliceSpacing);
            var hit = anatomy.LesionAt(px, py, pz);
            Assert.True(hit is not null, $"CT voxel ({c}, {r}, {k}) is outside the lesion");
            var l = hit.Value.Lesion;
            return hit.Value.Rho < l.CoreFraction ? l.CoreHu : l.RimHu - 8 * (1 - l.Uptake(px, py, pz, hit.Value.Rho) / l.RelativePeak);
        }

        var truth = (1 - s) * ((1 - t) * NoiseFree(c0, r0) + t * NoiseFree(c0 + 1, r0)) + s * ((1 - t) * NoiseFree(c0, r0 + 1) + t * NoiseFree(c0 + 1, r0 + 1))
            + scanner.CtOffsetHu;
        Assert.True(Math.Abs(byHand - truth) <= 4 * scanner.CtNoiseHu + 0.5, $"{byHand} HU where the lesion is {truth} HU (noise {scanner.CtNoiseHu})");

        // PET: the lesion is the hottest thing in the crop's middle, hotter than the liver and the rest of the crop's border.
        var inside = Enumerable.Range(0, 16 * 16).Where(p => mask[central.CropX0 + p % 16, central.CropY0 + p / 16, central.PetSlice]).ToList();
        var border = Enumerable.Range(0, 16 * 16).Where(p => p % 16 is 0 or 15 || p / 16 is 0 or 15).ToList();
        var lesionMax = inside.Max(p => central.Pet[p]);
        var borderMean = border.Average(p => central.Pet[p]);
        Assert.True(lesionMax > 2 * borderMean, $"lesion max {lesionMax} vs border mean {borderMean}");
        Assert.True(lesionMax > settings.NormalizeSuv(anatomy.LiverSuv * 1.3), $"lesion max {lesionMax} (SUV {lesionMax * 20}) vs liver SUV {anatomy.LiverSuv}");
    }

    /// <summary>The lesion's ground-truth mask {ρ ≤ 1} at PET voxel centres, and its voxel count per slice.</summary>
    private static (LesionMask Mask, Dictionary<int, int> PerSlice) TruthMask(LesionTruth lesion, SeriesGeometry g)
    {
        bool Inside(int c, int r, int k)
        {
            var dx = (g.FirstPosition[0] + c * g.PixelSpacing[1] - lesion.CenterMm[0]) / lesion.SemiAxesMm[0];
            var dy = (g.FirstPosition[1] + r * g.PixelSpacing[0] - lesion.CenterMm[1]) / lesion.SemiAxesMm[1];
            var dz = (g.FirstPosition[2] + k * g.SliceSpacing - lesion.CenterMm[2]) / lesion.SemiAxesMm[2];
            return dx * dx + dy * dy + dz * dz <= 1;
        }

        var voxels = new List<(int C, int R, int K)>();
        for (var k = 0; k < g.Slices; k++)
        {
            for (var r = 0; r < g.Rows; r++)
            {
                for (var c = 0; c < g.Columns; c++)
                {
                    if (Inside(c, r, k))
                    {
                        voxels.Add((c, r, k));
                    }
                }
            }
        }

        var box = new VoxelBox(voxels.Min(p => p.C), voxels.Min(p => p.R), voxels.Min(p => p.K), voxels.Max(p => p.C), voxels.Max(p => p.R), voxels.Max(p => p.K));
        return (Grids.Mask(box, Inside), voxels.GroupBy(p => p.K).ToDictionary(p => p.Key, p => p.Count()));
    }
}
