using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imaging;
using Derby.Domain;
using Derby.Imaging.Dicom;
using Derby.Imaging.Pairs;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Segmentation;

/// <summary>
/// The nuclear physician's part of the pipeline: a box on PET → the segmentation job → accept (or redo with another box or
/// threshold, or discard) → the 2.5D pairs job. Segmenting is editing the site's data: only the site's coordinators may
/// ask, accept or discard; everyone who may read the patient sees the lesions. Jobs are idempotent: a lesion is segmented
/// once, its pairs are built once per CT series and settings, and each result is written in one transaction.
/// </summary>
public sealed class LesionService(IDerbyDbContextFactory dbFactory, IDicomStore dicomStore, IArtifactStore artifacts, IDicomFileReader reader,
    IBackgroundJobs jobs, IClock clock)
{
    /// <summary>The artefact kind pair files are stored under.</summary>
    public const string PairsKind = "pairs";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<LesionView>> ListAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !scope.CanRead(patient.SiteId))
        {
            throw new NotFoundException("No such patient");
        }

        var lesions = await db.Lesions.AsNoTracking().Where(l => l.PatientId == patientId).ToListAsync(cancellationToken);
        var pairs = await db.PairSets.AsNoTracking().Where(p => p.Lesion!.PatientId == patientId)
            .GroupBy(p => p.LesionId).Select(g => new { g.Key, Count = g.Sum(p => p.PairCount) }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return lesions.OrderBy(l => l.RequestedUtc).Select(l => View(l, pairs.GetValueOrDefault(l.Id))).ToList();
    }

    public async Task<LesionView> GetAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, _) = await FindAsync(db, scope, lesionId, cancellationToken);
        var pairs = await db.PairSets.Where(p => p.LesionId == lesionId).SumAsync(p => p.PairCount, cancellationToken);
        return View(lesion, pairs);
    }

    /// <summary>The lesion's mask (box-relative, one byte per voxel); null while it has none (queued, failed).</summary>
    public async Task<LesionMask?> GetMaskAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, _) = await FindAsync(db, scope, lesionId, cancellationToken);
        return lesion.MaskGzip is null ? null : new LesionMask(BoxOf(lesion), Gunzip(lesion.MaskGzip));
    }

    /// <summary>
    /// Records the request and queues the segmentation. The same inputs (PET instances, box, settings) while an earlier
    /// request is queued, segmented or accepted give that lesion back instead of a second one.
    /// </summary>
    /// <exception cref="NotFoundException">No such patient or series for this caller.</exception>
    /// <exception cref="ForbiddenException">The caller may read but not edit the patient's site.</exception>
    /// <exception cref="ValidationFailedException">The box or threshold is invalid, with the reason.</exception>
    public async Task<LesionView> RequestAsync(AccessScope scope, Guid patientId, LesionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !scope.CanRead(patient.SiteId))
        {
            throw new NotFoundException("No such patient");
        }

        if (!scope.CanEdit(patient.SiteId))
        {
            throw new ForbiddenException("Only the site's coordinators can segment its patients' lesions");
        }

        var series = await db.ImagingSeries.AsNoTracking().Include(s => s.Instances)
            .SingleOrDefaultAsync(s => s.Id == request.PetSeriesId && s.PatientId == patientId, cancellationToken)
            ?? throw new NotFoundException("No such PET series for this patient");
        var errors = new List<FieldError>();
        if (series.Modality != ImagingModality.Pet)
        {
            errors.Add(new("petSeriesId", "Lesions are drawn on PET: this series is CT"));
        }

        try
        {
            request.Box.Validate(series.Columns, series.Rows, series.InstanceCount);
        }
        catch (ArgumentException ex)
        {
            errors.Add(new("box", ex.Message));
        }

        if (request.FixedThresholdSuv is { } t && (!double.IsFinite(t) || t <= 0))
        {
            errors.Add(new("threshold", "A threshold is a positive SUV"));
        }

        if (request.ReplacesLesionId is { } replaced && !await db.Lesions.AnyAsync(l => l.Id == replaced && l.PatientId == patientId, cancellationToken))
        {
            errors.Add(new("replaces", "The lesion to redo is not one of this patient's"));
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var settings = SegmentationSettings.Default with { FixedThresholdSuv = request.FixedThresholdSuv };
        var settingsJson = JsonSerializer.Serialize(settings, Json);
        var inputs = InputsHash(series.Instances.OrderBy(i => i.SliceIndex).Select(i => i.Sha256), series.SuvFactor, request.Box, settingsJson);
        var existing = await db.Lesions.AsNoTracking()
            .Where(l => l.PatientId == patientId && l.InputsSha256 == inputs
                && (l.Status == LesionStatus.Queued || l.Status == LesionStatus.Segmented || l.Status == LesionStatus.Accepted))
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return View(existing, 0);
        }

        var now = clock.UtcNow;
        var lesion = new Lesion
        {
            Id = Guid.NewGuid(),
            PatientId = patientId,
            PetSeriesId = series.Id,
            BoxX0 = request.Box.X0,
            BoxY0 = request.Box.Y0,
            BoxZ0 = request.Box.Z0,
            BoxX1 = request.Box.X1,
            BoxY1 = request.Box.Y1,
            BoxZ1 = request.Box.Z1,
            FixedThresholdSuv = request.FixedThresholdSuv,
            SettingsJson = settingsJson,
            InputsSha256 = inputs,
            Status = LesionStatus.Queued,
            ReplacesLesionId = request.ReplacesLesionId,
            RequestedBy = scope.UserName,
            RequestedUtc = now,
        };
        db.Lesions.Add(lesion);
        db.AuditEvents.Add(Audit(scope.UserName, now, "lesion.requested", lesion.Id, patient.SiteId,
            new { patient = patient.Pseudonym, box = request.Box.ToString(), threshold = request.FixedThresholdSuv }));
        await db.SaveChangesAsync(cancellationToken);
        jobs.EnqueueSegmentation(lesion.Id);
        return View(lesion, 0);
    }

    /// <summary>
    /// The segmentation job: reads the PET series from the store (SUV volume), segments inside the box and stores the mask
    /// and measures in one write. A lesion that is no longer queued is left as it is, so a retried or repeated job changes
    /// nothing. Bad input (a series that no longer assembles, a box the method cannot use) marks the lesion failed with
    /// the reason; anything else is thrown for the job server to retry.
    /// </summary>
    public async Task RunSegmentationAsync(Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var lesion = await db.Lesions.SingleOrDefaultAsync(l => l.Id == lesionId, cancellationToken);
        if (lesion is not { Status: LesionStatus.Queued })
        {
            return;
        }

        var site = await db.Patients.Where(p => p.Id == lesion.PatientId).Select(p => p.SiteId).SingleAsync(cancellationToken);
        LesionSegmentation result;
        try
        {
            var (suv, geometry) = await PetVolumeAsync(db, lesion.PetSeriesId, cancellationToken);
            var settings = JsonSerializer.Deserialize<SegmentationSettings>(lesion.SettingsJson, Json) ?? SegmentationSettings.Default;
            result = LesionSegmenter.Segment(suv, geometry, BoxOf(lesion), settings);
        }
        catch (Exception ex) when (ex is DicomReadException or SuvException or ArgumentException or InvalidOperationException)
        {
            lesion.Status = LesionStatus.Failed;
            lesion.Error = ex.Message;
            lesion.SegmentedUtc = clock.UtcNow;
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "lesion.failed", lesion.Id, site, new { error = ex.Message }));
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        lesion.Status = LesionStatus.Segmented;
        lesion.Voxels = result.Voxels;
        lesion.MtvMl = result.MtvMl;
        lesion.SuvMax = result.SuvMax;
        lesion.SuvMean = result.SuvMean;
        lesion.SuvPeak = result.SuvPeak;
        lesion.Tlg = result.Tlg;
        lesion.ThresholdSuv = result.Threshold;
        lesion.BackgroundSuv = result.Background;
        lesion.Iterations = result.Iterations;
        lesion.Converged = result.Converged;
        lesion.ThresholdHistoryJson = JsonSerializer.Serialize(result.ThresholdHistory, Json);
        lesion.WarningsJson = JsonSerializer.Serialize(result.Warnings, Json);
        (lesion.SuvMaxX, lesion.SuvMaxY, lesion.SuvMaxZ) = result.SuvMaxVoxel;
        lesion.MaskGzip = Gzip(result.Mask.Values);
        lesion.SegmentedUtc = clock.UtcNow;
        db.AuditEvents.Add(Audit("system", clock.UtcNow, "lesion.segmented", lesion.Id, site,
            new { voxels = result.Voxels, suvMax = result.SuvMax, mtvMl = result.MtvMl, threshold = result.Threshold, iterations = result.Iterations }));
        FaultPoints.Pass("segmentation.commit");
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Accepts a segmented lesion: it replaces the lesion it redoes (discarded), becomes the patient's SUVmax source when
    /// the clinical SUVmax was not entered by hand, and its 2.5D pairs are queued. Accepting twice changes nothing.
    /// </summary>
    public async Task<LesionView> AcceptAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, siteId) = await FindAsync(db, scope, lesionId, cancellationToken);
        RequireEdit(scope, siteId);
        if (lesion.Status == LesionStatus.Accepted)
        {
            // Accepting again repairs what a crash after the first accept may have left undone (both steps are idempotent).
            await RefreshSuvMaxAsync(db, lesion.PatientId, scope.UserName, siteId, cancellationToken);
            jobs.EnqueuePairs(lesion.Id);
            return View(lesion, 0);
        }

        if (lesion.Status != LesionStatus.Segmented)
        {
            throw new ValidationFailedException([new("status", $"Only a segmented lesion can be accepted; this one is {lesion.Status.ToString().ToLowerInvariant()}")]);
        }

        if (lesion.Voxels == 0)
        {
            throw new ValidationFailedException([new("voxels", "The segmentation is empty: redo it with another box or a threshold")]);
        }

        var now = clock.UtcNow;
        lesion.Status = LesionStatus.Accepted;
        lesion.DecidedBy = scope.UserName;
        lesion.DecidedUtc = now;
        if (lesion.ReplacesLesionId is { } replaced && await db.Lesions.SingleOrDefaultAsync(l => l.Id == replaced, cancellationToken) is { } old
            && old.Status != LesionStatus.Discarded)
        {
            old.Status = LesionStatus.Discarded;
            old.DecidedBy = scope.UserName;
            old.DecidedUtc = now;
        }

        db.AuditEvents.Add(Audit(scope.UserName, now, "lesion.accepted", lesion.Id, siteId, new { suvMax = lesion.SuvMax, mtvMl = lesion.MtvMl }));
        await db.SaveChangesAsync(cancellationToken);
        await RefreshSuvMaxAsync(db, lesion.PatientId, scope.UserName, siteId, cancellationToken);
        jobs.EnqueuePairs(lesion.Id);
        return View(lesion, 0);
    }

    /// <summary>Sets a lesion aside (kept, never deleted); a discarded accepted lesion no longer counts for SUVmax.</summary>
    public async Task<LesionView> DiscardAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, siteId) = await FindAsync(db, scope, lesionId, cancellationToken);
        RequireEdit(scope, siteId);
        if (lesion.Status == LesionStatus.Discarded)
        {
            return View(lesion, 0);
        }

        var now = clock.UtcNow;
        lesion.Status = LesionStatus.Discarded;
        lesion.DecidedBy = scope.UserName;
        lesion.DecidedUtc = now;
        db.AuditEvents.Add(Audit(scope.UserName, now, "lesion.discarded", lesion.Id, siteId, null));
        await db.SaveChangesAsync(cancellationToken);
        await RefreshSuvMaxAsync(db, lesion.PatientId, scope.UserName, siteId, cancellationToken);
        return View(lesion, 0);
    }

    /// <summary>
    /// The pairs job: the 2.5D pairs of an accepted lesion against the patient's CT in the PET's frame of reference, written
    /// as one pair file in the artefact store and indexed in the database in one transaction. Built once per lesion, CT
    /// series and settings; a repeated job changes nothing.
    /// </summary>
    public async Task BuildPairsAsync(Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var lesion = await db.Lesions.AsNoTracking().SingleOrDefaultAsync(l => l.Id == lesionId, cancellationToken);
        if (lesion is not { Status: LesionStatus.Accepted, MaskGzip: not null })
        {
            return;
        }

        var pet = await db.ImagingSeries.AsNoTracking().SingleAsync(s => s.Id == lesion.PetSeriesId, cancellationToken);
        var cts = await db.ImagingSeries.AsNoTracking()
            .Where(s => s.PatientId == lesion.PatientId && s.Modality == ImagingModality.Ct).ToListAsync(cancellationToken);
        var ct = cts.Where(s => s.FrameOfReferenceUid is not null && s.FrameOfReferenceUid == pet.FrameOfReferenceUid)
            .OrderByDescending(s => s.ReceivedUtc).FirstOrDefault()
            ?? (cts.Count == 1 && (cts[0].FrameOfReferenceUid is null || pet.FrameOfReferenceUid is null) ? cts[0] : null);
        var siteId = await db.Patients.Where(p => p.Id == lesion.PatientId).Select(p => p.SiteId).SingleAsync(cancellationToken);
        if (ct is null)
        {
            db.AuditEvents.Add(Audit("system", clock.UtcNow, "pairs.skipped", lesion.Id, siteId,
                new { reason = "the patient has no CT series in the PET's frame of reference" }));
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var settings = PairSettings.Default;
        var settingsJson = JsonSerializer.Serialize(settings, Json);
        if (await db.PairSets.AnyAsync(p => p.LesionId == lesionId && p.CtSeriesId == ct.Id && p.SettingsJson == settingsJson, cancellationToken))
        {
            return;
        }

        var (suv, petGeometry) = await VolumeAsync(db, pet.Id, pet.SuvFactor ?? 0, cancellationToken);
        (float[] hu, SeriesGeometry ctGeometry) = await VolumeAsync(db, ct.Id, null, cancellationToken);
        var set = PairBuilder.Build(suv, petGeometry, hu, ctGeometry, new LesionMask(BoxOf(lesion), Gunzip(lesion.MaskGzip)), settings);
        using var buffer = new MemoryStream();
        PairSetFile.Write(buffer, set);
        var (sha, size) = await artifacts.PutAsync(PairsKind, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);

        var record = new Domain.PairSet
        {
            Id = Guid.NewGuid(),
            LesionId = lesionId,
            CtSeriesId = ct.Id,
            SettingsJson = settingsJson,
            PairCount = set.Pairs.Count,
            TotalRoiArea = (int)set.TotalRoiArea,
            Sha256 = sha,
            SizeBytes = size,
            CreatedUtc = clock.UtcNow,
        };
        for (var i = 0; i < set.Pairs.Count; i++)
        {
            var p = set.Pairs[i];
            record.Pairs.Add(new ImagePair { Index = i, PetSlice = p.PetSlice, CtSlices = string.Join(',', p.CtSlices), RoiArea = p.RoiArea });
        }

        db.PairSets.Add(record);
        db.AuditEvents.Add(Audit("system", clock.UtcNow, "pairs.built", lesion.Id, siteId, new { pairs = set.Pairs.Count, sha256 = sha }));
        FaultPoints.Pass("pairs.commit");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent run of the same job may have stored the same pairs first: then there is nothing to add.
            if (!await AnotherRunStoredAsync(lesionId, ct.Id, settingsJson, cancellationToken))
            {
                throw;
            }
        }
    }

    /// <summary>The stored pairs of a lesion (the newest set), read back from the artefact store and checked against its hash.</summary>
    public async Task<Derby.Imaging.Pairs.PairSet?> ReadPairsAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        await FindAsync(db, scope, lesionId, cancellationToken);
        var record = await db.PairSets.AsNoTracking().Where(p => p.LesionId == lesionId).OrderByDescending(p => p.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
        if (record is null)
        {
            return null;
        }

        return await ReadPairSetAsync(record.Sha256, lesionId, cancellationToken);
    }

    private async Task<Derby.Imaging.Pairs.PairSet> ReadPairSetAsync(string sha256, Guid lesionId, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(artifacts.PathOf(PairsKind, sha256), cancellationToken);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha256)
        {
            throw new InvalidDataException($"The pair file of lesion {lesionId} does not match its recorded SHA-256: the store was altered");
        }

        return PairSetFile.Read(new MemoryStream(bytes));
    }

    /// <summary>
    /// The lesion's newest pair set for display: each pair's crops (hash-checked from the store) with its row id and the
    /// lesion's mask projected onto the crop; null while the lesion has no pairs.
    /// </summary>
    /// <exception cref="NotFoundException">No such lesion for this caller.</exception>
    public async Task<LesionPairsView?> GetPairsAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, _) = await FindAsync(db, scope, lesionId, cancellationToken);
        var record = await db.PairSets.AsNoTracking().Where(p => p.LesionId == lesionId).OrderByDescending(p => p.CreatedUtc).FirstOrDefaultAsync(cancellationToken);
        if (record is null || lesion.MaskGzip is null)
        {
            return null;
        }

        var set = await ReadPairSetAsync(record.Sha256, lesionId, cancellationToken);
        var rows = await db.ImagePairs.AsNoTracking().Where(p => p.PairSetId == record.Id).Select(p => new { p.Id, p.Index }).ToDictionaryAsync(p => p.Index, p => p.Id, cancellationToken);
        var mask = new LesionMask(BoxOf(lesion), Gunzip(lesion.MaskGzip));
        var size = set.Settings.CropSize;
        var views = new List<PairCropView>(set.Pairs.Count);
        for (var i = 0; i < set.Pairs.Count; i++)
        {
            var pair = set.Pairs[i];
            var crop = new byte[size * size];
            for (var j = 0; j < size; j++)
            {
                for (var k = 0; k < size; k++)
                {
                    crop[j * size + k] = mask[pair.CropX0 + k, pair.CropY0 + j, pair.PetSlice] ? (byte)1 : (byte)0;
                }
            }

            if (!rows.TryGetValue(i, out var rowId))
            {
                throw new InvalidDataException($"Pair {i} of lesion {lesionId}'s pair set has no row: the index is incomplete");
            }

            views.Add(new PairCropView(rowId, i, pair.PetSlice, pair.CtSlices, pair.RoiArea, pair.CropX0, pair.CropY0, pair.Pet, pair.Ct, crop));
        }

        return new LesionPairsView(lesionId, record.Id, size, views);
    }

    /// <summary>
    /// The lesion's mask as a DICOM Segmentation on its PET series (one frame per PET slice with lesion voxels, each
    /// referencing its source instance); the SEG's UIDs derive from the lesion, so exporting again gives the same object.
    /// </summary>
    /// <exception cref="ValidationFailedException">The lesion has no mask yet, or an empty one.</exception>
    public async Task<DicomDataset> ExportSegAsync(AccessScope scope, Guid lesionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var (lesion, _) = await FindAsync(db, scope, lesionId, cancellationToken);
        if (lesion.MaskGzip is null || lesion.Voxels == 0)
        {
            throw new ValidationFailedException([new("mask", "The lesion has no segmented voxels to export")]);
        }

        var series = await StoredSeries.AssembleAsync(db, dicomStore, reader, lesion.PetSeriesId, cancellationToken);
        return DicomSegBuilder.Build(new LesionMask(BoxOf(lesion), Gunzip(lesion.MaskGzip)), series, "Liver lesion",
            "Derby adaptive threshold + 3D region growing", DicomUid.FromName($"derby-seg-series/{lesion.Id}"),
            DicomUid.FromName($"derby-seg/{lesion.Id}/{lesion.InputsSha256}"), lesion.SegmentedUtc ?? lesion.RequestedUtc);
    }

    private async Task<bool> AnotherRunStoredAsync(Guid lesionId, Guid ctId, string settingsJson, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return await db.PairSets.AnyAsync(p => p.LesionId == lesionId && p.CtSeriesId == ctId && p.SettingsJson == settingsJson, cancellationToken);
    }

    /// <summary>The clinical SUVmax follows the accepted lesions unless the site entered it by hand.</summary>
    private async Task RefreshSuvMaxAsync(IDerbyDbContext db, Guid patientId, string actor, int siteId, CancellationToken cancellationToken)
    {
        var clinical = await db.ClinicalRecords.SingleOrDefaultAsync(c => c.PatientId == patientId, cancellationToken);
        if (clinical is null || (clinical.SuvMax is not null && clinical.SuvMaxSource == SuvMaxSource.Entered))
        {
            return;
        }

        var best = await db.Lesions.AsNoTracking().Where(l => l.PatientId == patientId && l.Status == LesionStatus.Accepted)
            .OrderByDescending(l => l.SuvMax).FirstOrDefaultAsync(cancellationToken);
        var before = clinical.SuvMax;
        var after = best is null ? null : (double?)Math.Round(best.SuvMax, 2);
        if (clinical.SuvMaxSource == SuvMaxSource.Segmentation && before == after && clinical.SuvMaxLesionId == best?.Id)
        {
            return;
        }

        clinical.SuvMax = after;
        clinical.SuvMaxSource = SuvMaxSource.Segmentation;
        clinical.SuvMaxLesionId = best?.Id;
        clinical.UpdatedUtc = clock.UtcNow;
        db.AuditEvents.Add(Audit(actor, clock.UtcNow, "clinical.suvmax-from-lesions", best?.Id ?? patientId, siteId,
            new { before, after = clinical.SuvMax, lesion = best?.Id }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<(float[] Suv, SeriesGeometry Geometry)> PetVolumeAsync(IDerbyDbContext db, Guid seriesId, CancellationToken cancellationToken)
    {
        var series = await db.ImagingSeries.AsNoTracking().SingleAsync(s => s.Id == seriesId, cancellationToken);
        return await VolumeAsync(db, seriesId, series.SuvFactor ?? 0, cancellationToken);
    }

    /// <summary>A stored series read back from the store: SUV when <paramref name="suvFactor"/> is given (0: compute it), else HU.</summary>
    private async Task<(float[] Volume, SeriesGeometry Geometry)> VolumeAsync(IDerbyDbContext db, Guid seriesId, double? suvFactor, CancellationToken cancellationToken)
    {
        var assembly = await StoredSeries.AssembleAsync(db, dicomStore, reader, seriesId, cancellationToken);
        var geometry = assembly.Geometry!;
        if (suvFactor is null)
        {
            return (VolumeBuilder.BuildHu(assembly, reader), geometry);
        }

        var factor = suvFactor > 0 ? suvFactor.Value : SuvCalculator.Compute(assembly.Slices.Select(s => s.Dataset).ToList()).SuvFactor;
        return (VolumeBuilder.BuildSuv(assembly, reader, factor), geometry);
    }

    private static async Task<(Lesion Lesion, int SiteId)> FindAsync(IDerbyDbContext db, AccessScope scope, Guid lesionId, CancellationToken cancellationToken)
    {
        var found = await db.Lesions.Where(l => l.Id == lesionId).Select(l => new { Lesion = l, l.Patient!.SiteId }).SingleOrDefaultAsync(cancellationToken);
        return found is null || !scope.CanRead(found.SiteId) ? throw new NotFoundException("No such lesion") : (found.Lesion, found.SiteId);
    }

    private static void RequireEdit(AccessScope scope, int siteId)
    {
        if (!scope.CanEdit(siteId))
        {
            throw new ForbiddenException("Only the site's coordinators can decide on its lesions");
        }
    }

    private static string InputsHash(IEnumerable<string> instanceHashes, double? suvFactor, VoxelBox box, string settingsJson)
    {
        var text = new StringBuilder();
        foreach (var h in instanceHashes)
        {
            text.Append(h).Append('\n');
        }

        text.Append(suvFactor?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n').Append(box).Append('\n').Append(settingsJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static VoxelBox BoxOf(Lesion l) => new(l.BoxX0, l.BoxY0, l.BoxZ0, l.BoxX1, l.BoxY1, l.BoxZ1);

    private static byte[] Gzip(byte[] values)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(values);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static AuditEvent Audit(string actor, DateTime when, string action, Guid entity, int siteId, object? details) =>
        Application.Audit.AuditEvents.Create(actor, when, action, nameof(Lesion), entity.ToString(), siteId, details);

    private static LesionView View(Lesion l, int pairs) => new(
        l.Id, l.PatientId, l.PetSeriesId, BoxOf(l), l.Status, l.Error, l.FixedThresholdSuv, l.Voxels, l.MtvMl, l.SuvMax, l.SuvMean, l.SuvPeak, l.Tlg,
        l.ThresholdSuv, l.BackgroundSuv, l.Iterations, l.Converged,
        l.ThresholdHistoryJson is null ? [] : JsonSerializer.Deserialize<double[]>(l.ThresholdHistoryJson, Json) ?? [],
        l.WarningsJson is null ? [] : JsonSerializer.Deserialize<string[]>(l.WarningsJson, Json) ?? [],
        (l.SuvMaxX, l.SuvMaxY, l.SuvMaxZ), l.SettingsJson, l.ReplacesLesionId, l.RequestedBy, l.RequestedUtc, l.SegmentedUtc, l.DecidedBy, l.DecidedUtc, pairs);
}
