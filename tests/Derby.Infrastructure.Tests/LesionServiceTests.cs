using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imaging;
using Derby.Application.Imports;
using Derby.Application.Segmentation;
using Derby.Domain;
using Derby.Imaging.Gdcm;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Derby.Synthetic.Output;
using Microsoft.EntityFrameworkCore;

namespace Derby.Infrastructure.Tests;

/// <summary>
/// The physician's workflow on a synthetic patient's stored PET/CT: box → segmentation job → accept → SUVmax and 2.5D pairs,
/// against the library run on the same files, with access, idempotency and the stored artefacts checked.
/// </summary>
public sealed class LesionServiceTests(IngestStudy synthetic) : IAsyncLifetime, IClassFixture<IngestStudy>
{
    private static readonly AccessScope Pi = new("pi", new HashSet<string> { DerbyRoles.PrincipalInvestigator }, new HashSet<int>());
    private StudyDatabase db = default!;
    private PatientTruth patient = default!;
    private Guid patientId;
    private Guid petSeriesId;
    private int siteId;

    public async Task InitializeAsync()
    {
        db = await StudyDatabase.CreateAsync();
        var truth = synthetic.Truth;
        patient = truth.Patients.Where(p => truth.Faults.All(f => f.Pseudonym != p.Pseudonym))
            .OrderByDescending(p => p.Imaging!.Lesions.Max(l => l.DiameterCm)).First();
        await using (var stream = File.OpenRead(Path.Combine(synthetic.Folder, "sites", patient.Site, "patients.csv")))
        {
            var imports = db.Get<CsvImportService>();
            var run = await imports.StartAsync(AccessScope.System, patient.Site, ImportKind.Patients, "patients.csv", stream);
            await imports.RunAsync(run.Id);
        }

        await using var ctx = db.Context();
        var p = await ctx.Patients.SingleAsync(x => x.Pseudonym == patient.Pseudonym);
        patientId = p.Id;
        siteId = p.SiteId;
        var files = Directory.EnumerateFiles(Path.Combine(synthetic.Folder, "sites", patient.Site, "dicom", patient.Pseudonym), "*.dcm", SearchOption.AllDirectories).ToList();
        var ingest = await db.Get<DicomIngestService>().IngestAsync(AccessScope.System, patientId, files);
        Assert.True(ingest.Accepted);
        petSeriesId = await ctx.ImagingSeries.Where(s => s.PatientId == patientId && s.Modality == ImagingModality.Pet).Select(s => s.Id).SingleAsync();
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    private AccessScope Coordinator(int site) => new("coordinator", new HashSet<string> { DerbyRoles.SiteCoordinator }, new HashSet<int> { site });

    /// <summary>The PET volume read from the generator's files (not the store), and a box around the largest true lesion.</summary>
    private (float[] Suv, SeriesGeometry Geometry, VoxelBox Box) Reference()
    {
        var reader = new GdcmDicomFileReader();
        var folder = Path.Combine(synthetic.Folder, "sites", patient.Site, "dicom", patient.Pseudonym, "PT");
        var slices = Directory.GetFiles(folder, "*.dcm").Select(f => SliceSource.From(reader.Read(f))).ToList();
        var series = Assert.Single(SeriesAssembler.Assemble(slices));
        var g = series.Geometry!;
        var suv = VolumeBuilder.BuildSuv(series, reader, SuvCalculator.Compute(slices.Select(s => s.Dataset).ToList()).SuvFactor);
        var lesion = patient.Imaging!.Lesions.MaxBy(l => l.DiameterCm)!;
        const double margin = 8;
        int Index(double value, double origin, double spacing) => (int)Math.Round((value - origin) / spacing);
        var c = Index(lesion.CenterMm[0], g.FirstPosition[0], g.PixelSpacing[1]);
        var r = Index(lesion.CenterMm[1], g.FirstPosition[1], g.PixelSpacing[0]);
        var k = Index(lesion.CenterMm[2], g.FirstPosition[2], g.SliceSpacing);
        var hc = (int)Math.Ceiling((lesion.SemiAxesMm[0] + margin) / g.PixelSpacing[1]);
        var hr = (int)Math.Ceiling((lesion.SemiAxesMm[1] + margin) / g.PixelSpacing[0]);
        var hk = (int)Math.Ceiling((lesion.SemiAxesMm[2] + margin) / g.SliceSpacing);
        var box = new VoxelBox(Math.Max(0, c - hc), Math.Max(0, r - hr), Math.Max(0, k - hk),
            Math.Min(g.Columns - 1, c + hc), Math.Min(g.Rows - 1, r + hr), Math.Min(g.Slices - 1, k + hk));
        return (suv, g, box);
    }

    [Fact]
    public async Task Segmentation_StoresWhatTheLibraryFinds_OnTheStoredFiles_AndARepeatedJobChangesNothing()
    {
        var (suv, g, box) = Reference();
        var expected = LesionSegmenter.Segment(suv, g, box);
        var service = db.Get<LesionService>();

        var requested = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        Assert.Equal(LesionStatus.Queued, requested.Status);
        Assert.Equal([requested.Id], db.Jobs.Segmentations);
        await service.RunSegmentationAsync(requested.Id);
        var first = await service.GetAsync(Pi, requested.Id);
        await service.RunSegmentationAsync(requested.Id);
        var again = await service.GetAsync(Pi, requested.Id);

        Assert.Equal(LesionStatus.Segmented, first.Status);
        Assert.Equal(expected.Voxels, first.Voxels);
        Assert.True(expected.Voxels > 50, $"{expected.Voxels} voxels");
        Assert.Equal(expected.SuvMax, first.SuvMax);
        Assert.Equal(expected.MtvMl, first.MtvMl, 9);
        Assert.Equal(expected.SuvPeak, first.SuvPeak, 9);
        Assert.Equal(expected.Threshold, first.ThresholdSuv, 9);
        Assert.Equal(expected.Iterations, first.Iterations);
        Assert.Equal(expected.ThresholdHistory.Count, first.ThresholdHistory.Count);
        Assert.Equal(first.SegmentedUtc, again.SegmentedUtc);
        var mask = await service.GetMaskAsync(Pi, requested.Id);
        Assert.Equal(expected.Mask.Values, mask!.Values);

        // The same request again gives the same lesion back: no second lesion, no second job.
        var repeated = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        Assert.Equal(requested.Id, repeated.Id);
        Assert.Single(db.Jobs.Segmentations);
        await using var ctx = db.Context();
        Assert.Equal(1, await ctx.Lesions.CountAsync(l => l.PatientId == patientId));
        Assert.Equal(1, await ctx.AuditEvents.CountAsync(a => a.Action == "lesion.segmented" && a.EntityId == requested.Id.ToString()));
    }

    [Fact]
    public async Task Accepting_FillsTheClinicalSuvMax_WithProvenance_AndBuildsThePairsOnce()
    {
        var (_, g, box) = Reference();
        var service = db.Get<LesionService>();
        await SetClinicalAsync(suvMax: null);
        var lesion = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        await service.RunSegmentationAsync(lesion.Id);

        var accepted = await service.AcceptAsync(Coordinator(siteId), lesion.Id);
        await service.BuildPairsAsync(lesion.Id);
        await service.BuildPairsAsync(lesion.Id);

        Assert.Equal(LesionStatus.Accepted, accepted.Status);
        Assert.Equal([lesion.Id], db.Jobs.PairBuilds);
        await using var ctx = db.Context();
        var clinical = await ctx.ClinicalRecords.SingleAsync(c => c.PatientId == patientId);
        Assert.Equal(Math.Round(accepted.SuvMax, 2), clinical.SuvMax);
        Assert.Equal(SuvMaxSource.Segmentation, clinical.SuvMaxSource);
        Assert.Equal(lesion.Id, clinical.SuvMaxLesionId);

        var set = await ctx.PairSets.Include(p => p.Pairs).SingleAsync(p => p.LesionId == lesion.Id);
        var mask = (await service.GetMaskAsync(Pi, lesion.Id))!;
        var slicesWithLesion = Enumerable.Range(box.Z0, box.Depth).Where(z => mask.CountOnSlice(z) > 0).ToList();
        Assert.Equal(slicesWithLesion, set.Pairs.OrderBy(p => p.Index).Select(p => p.PetSlice));
        Assert.Equal(slicesWithLesion.Select(mask.CountOnSlice), set.Pairs.OrderBy(p => p.Index).Select(p => p.RoiArea));
        Assert.Equal(mask.Count, set.TotalRoiArea);
        var stored = await service.ReadPairsAsync(Pi, lesion.Id);
        Assert.Equal(set.PairCount, stored!.Pairs.Count);
        Assert.All(stored.Pairs, p => Assert.Equal(3, p.CtSlices.Length));
        Assert.True(File.Exists(db.Get<IArtifactStore>().PathOf(LesionService.PairsKind, set.Sha256)));
        Assert.Equal(g.Slices, stored.Pet.Slices);

        // Accepting again (after a crash, or a double click) repairs and changes nothing already done.
        await service.AcceptAsync(Coordinator(siteId), lesion.Id);
        await service.BuildPairsAsync(lesion.Id);
        await using var after = db.Context();
        Assert.Equal(1, await after.PairSets.CountAsync(p => p.LesionId == lesion.Id));
        Assert.Equal(1, await after.AuditEvents.CountAsync(a => a.Action == "clinical.suvmax-from-lesions"));
        Assert.Equal(1, await after.AuditEvents.CountAsync(a => a.Action == "lesion.accepted"));
    }

    [Fact]
    public async Task SavingTheClinicalForm_KeepsTheSegmentedSuvMaxProvenance_UnlessTheValueIsChanged()
    {
        var (_, _, box) = Reference();
        var service = db.Get<LesionService>();
        await SetClinicalAsync(suvMax: null);
        var lesion = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        await service.RunSegmentationAsync(lesion.Id);
        await service.AcceptAsync(Coordinator(siteId), lesion.Id);
        var patients = db.Get<Derby.Application.Patients.PatientService>();
        var form = Derby.Application.Patients.ClinicalInput.From((await patients.GetAsync(Pi, patientId))!.Clinical!);
        form.ClinicalRiskScore = 2;
        form.CeaNgPerMl = 12;
        form.Ca199UPerMl = 30;
        form.LiverMetastasisCount = 3;
        form.LargestDiameterCm = 4.1;

        await patients.SaveClinicalAsync(Coordinator(siteId), patientId, form);
        var unchanged = (await patients.GetAsync(Pi, patientId))!.Clinical!;
        form.SuvMax = 9.99;
        await patients.SaveClinicalAsync(Coordinator(siteId), patientId, form);
        var typed = (await patients.GetAsync(Pi, patientId))!.Clinical!;

        Assert.Equal(SuvMaxSource.Segmentation, unchanged.SuvMaxSource);
        Assert.Equal(lesion.Id, unchanged.SuvMaxLesionId);
        Assert.Equal(SuvMaxSource.Entered, typed.SuvMaxSource);
        Assert.Null(typed.SuvMaxLesionId);
        Assert.Equal(9.99, typed.SuvMax);
    }

    [Fact]
    public async Task AnEnteredSuvMax_IsNotOverwritten_AndDiscardingTheLesion_TakesItsSuvMaxBack()
    {
        var (_, _, box) = Reference();
        var service = db.Get<LesionService>();
        await SetClinicalAsync(suvMax: 7.5);
        var lesion = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        await service.RunSegmentationAsync(lesion.Id);
        await service.AcceptAsync(Coordinator(siteId), lesion.Id);

        await using (var ctx = db.Context())
        {
            var clinical = await ctx.ClinicalRecords.SingleAsync(c => c.PatientId == patientId);
            Assert.Equal(7.5, clinical.SuvMax);
            Assert.Equal(SuvMaxSource.Entered, clinical.SuvMaxSource);
            clinical.SuvMax = null;
            await ctx.SaveChangesAsync();
        }

        // With no entered value, the accepted lesion fills it; discarding it empties it again.
        var redo = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box, FixedThresholdSuv: 3.0, ReplacesLesionId: lesion.Id));
        await service.RunSegmentationAsync(redo.Id);
        var accepted = await service.AcceptAsync(Coordinator(siteId), redo.Id);
        await using (var ctx = db.Context())
        {
            Assert.Equal(LesionStatus.Discarded, (await ctx.Lesions.SingleAsync(l => l.Id == lesion.Id)).Status);
            var clinical = await ctx.ClinicalRecords.SingleAsync(c => c.PatientId == patientId);
            Assert.Equal(Math.Round(accepted.SuvMax, 2), clinical.SuvMax);
            Assert.Equal(redo.Id, clinical.SuvMaxLesionId);
            Assert.Equal(3.0, accepted.ThresholdSuv);
            Assert.Equal(0, accepted.Iterations);
        }

        await service.DiscardAsync(Coordinator(siteId), redo.Id);
        await using (var ctx = db.Context())
        {
            var clinical = await ctx.ClinicalRecords.SingleAsync(c => c.PatientId == patientId);
            Assert.Null(clinical.SuvMax);
            Assert.Null(clinical.SuvMaxLesionId);
        }
    }

    [Fact]
    public async Task OnlyTheSitesCoordinators_Segment_OthersSeeNothingOrMayNotChange()
    {
        var (_, _, box) = Reference();
        var service = db.Get<LesionService>();
        var otherSite = siteId == 1 ? 2 : 1;

        await Assert.ThrowsAsync<NotFoundException>(() => service.RequestAsync(Coordinator(otherSite), patientId, new LesionRequest(petSeriesId, box)));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.RequestAsync(Pi, patientId, new LesionRequest(petSeriesId, box)));
        var lesion = await service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, box));
        await service.RunSegmentationAsync(lesion.Id);
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(Coordinator(otherSite), lesion.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => service.AcceptAsync(Coordinator(otherSite), lesion.Id));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.AcceptAsync(Pi, lesion.Id));
        Assert.Single(await service.ListAsync(Pi, patientId));
    }

    [Fact]
    public async Task BadRequests_AreRefused_WithTheReason_AndNothingQueued()
    {
        var service = db.Get<LesionService>();
        await using var ctx = db.Context();
        var pet = await ctx.ImagingSeries.SingleAsync(s => s.Id == petSeriesId);
        var ctId = await ctx.ImagingSeries.Where(s => s.PatientId == patientId && s.Modality == ImagingModality.Ct).Select(s => s.Id).SingleAsync();

        var outside = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, new VoxelBox(0, 0, 0, pet.Columns, 5, 5))));
        var reversed = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, new VoxelBox(9, 0, 0, 5, 5, 5))));
        var onCt = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(ctId, new VoxelBox(0, 0, 0, 5, 5, 5))));
        var threshold = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            service.RequestAsync(Coordinator(siteId), patientId, new LesionRequest(petSeriesId, new VoxelBox(0, 0, 0, 5, 5, 5), FixedThresholdSuv: -1)));

        Assert.Contains("outside the series' grid", outside.Message, StringComparison.Ordinal);
        Assert.Contains("first corner after its last", reversed.Message, StringComparison.Ordinal);
        Assert.Contains("drawn on PET", onCt.Message, StringComparison.Ordinal);
        Assert.Contains("positive SUV", threshold.Message, StringComparison.Ordinal);
        Assert.Empty(db.Jobs.Segmentations);
        Assert.Equal(0, await ctx.Lesions.CountAsync());
    }

    [Theory]
    [InlineData("segmentation.commit:1", false)]
    [InlineData("pairs.commit:1", true)]
    public async Task KilledLesionCommand_LeavesNoPartialRecords_AndTheRerunFinishesTheSameLesionOnce(string killAt, bool accept)
    {
        var (_, _, box) = Reference();
        string[] args = ["lesion", "--patient", patient.Pseudonym, "--box", $"{box.X0},{box.Y0},{box.Z0},{box.X1},{box.Y1},{box.Z1}", .. accept ? ["--accept"] : Array.Empty<string>()];

        var killed = await Cli.RunAsync(db.DataDirectory, killAt, args);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains($"fault point '{killAt.Split(':')[0]}' reached", killed.StdErr);
        await using (var ctx = db.Context())
        {
            var lesion = await ctx.Lesions.SingleAsync();
            Assert.Equal(accept ? LesionStatus.Accepted : LesionStatus.Queued, lesion.Status);
            Assert.Equal(accept, lesion.MaskGzip is not null);
            Assert.Equal(0, await ctx.PairSets.CountAsync());
            Assert.Equal(0, await ctx.ImagePairs.CountAsync());
        }

        var rerun = await Cli.RunAsync(db.DataDirectory, null, args);

        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        Assert.Contains(accept ? "\"status\": \"accepted\"" : "\"status\": \"segmented\"", rerun.StdOut);
        await using (var ctx = db.Context())
        {
            Assert.Equal(1, await ctx.Lesions.CountAsync());
            Assert.Equal(1, await ctx.AuditEvents.CountAsync(a => a.Action == "lesion.segmented"));
            Assert.Equal(accept ? 1 : 0, await ctx.PairSets.CountAsync());
            Assert.Equal(accept ? await ctx.PairSets.SumAsync(p => p.PairCount) : 0, await ctx.ImagePairs.CountAsync());
        }
    }

    [Fact]
    public async Task LesionCommand_RefusesABadBox_WithTheReason()
    {
        var result = await Cli.RunAsync(db.DataDirectory, null, "lesion", "--patient", patient.Pseudonym, "--box", "1,2,3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("expected six integers", result.StdErr);
    }

    private async Task SetClinicalAsync(double? suvMax)
    {
        await using var ctx = db.Context();
        var clinical = await ctx.ClinicalRecords.SingleOrDefaultAsync(c => c.PatientId == patientId);
        if (clinical is null)
        {
            clinical = new ClinicalRecord { PatientId = patientId, AgeYears = 60, Sex = Sex.Male, PrimarySite = PrimarySite.Left, Distribution = LiverDistribution.Bilobar };
            ctx.ClinicalRecords.Add(clinical);
        }

        clinical.SuvMax = suvMax;
        clinical.SuvMaxSource = SuvMaxSource.Entered;
        clinical.SuvMaxLesionId = null;
        await ctx.SaveChangesAsync();
    }
}
