using System.Globalization;
using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Derby.Imaging.Deidentification;
using Derby.Imaging.Dicom;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Series;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Derby.Application.Imaging;

/// <summary>
/// Takes a patient's staged DICOM files (an upload, a folder, DICOMweb) into the study: every file through the
/// de-identification gate, series assembled and checked, PET quantitation derived; then the whole upload is stored
/// (content-addressed files and index rows in one transaction) or nothing is. Sending the same files again is a no-op.
/// </summary>
public sealed class DicomIngestService(
    IDerbyDbContextFactory dbFactory,
    IDicomFileReader reader,
    IDicomFileRewriter rewriter,
    IDicomStore store,
    IClock clock,
    ILogger<DicomIngestService> logger)
{
    /// <summary>Throws unless the caller may send images of the patient: not found for other sites, forbidden for readers.</summary>
    public async Task CheckAccessAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await db.Patients.AsNoTracking().Include(p => p.Site).SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !scope.CanRead(patient.SiteId))
        {
            throw new NotFoundException("No such patient");
        }

        if (!scope.CanEdit(patient.SiteId))
        {
            throw new ForbiddenException($"Only coordinators of site {patient.Site!.Code} can send images of its patients");
        }
    }

    public async Task<IngestResult> IngestAsync(AccessScope scope, Guid patientId, IReadOnlyList<string> files, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Patient patient;
        DeidentificationPolicy policy;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            patient = await db.Patients.AsNoTracking().Include(p => p.Site).SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken)
                ?? throw new NotFoundException("No such patient");
            if (!scope.CanRead(patient.SiteId))
            {
                throw new NotFoundException("No such patient");
            }

            if (!scope.CanEdit(patient.SiteId))
            {
                throw new ForbiddenException($"Only coordinators of site {patient.Site!.Code} can send images of its patients");
            }

            policy = (await db.Studies.AsNoTracking().SingleAsync(s => s.Id == patient.Site!.StudyId, cancellationToken)).Deidentification;
        }

        if (files.Count == 0)
        {
            throw new ValidationFailedException([new FieldError("files", "The upload holds no files")]);
        }

        // Scrubbed copies are written here (the store's scratch space, this instance's own), never beside the sender's
        // files, and removed when the upload is done.
        var scrubFolder = store.CreateScratchFolder();
        try
        {
            return await IngestCheckedAsync(scope, patient, policy, files, scrubFolder, progress, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(scrubFolder))
            {
                Directory.Delete(scrubFolder, recursive: true);
            }
        }
    }

    private async Task<IngestResult> IngestCheckedAsync(AccessScope scope, Patient patient, DeidentificationPolicy policy, IReadOnlyList<string> files,
        string scrubFolder, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        // 1. Read and gate every file (refuse identifying attributes, or scrub them when the study is set so).
        var fileResults = new List<IngestFileResult>();
        // What the audit trail records of a refusal: the rules broken, never the values sent (they may be the very PHI refused).
        var auditReasons = new SortedSet<string>(StringComparer.Ordinal);
        var slices = new List<SliceSource>();
        var scrubbedNames = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i];
            var name = Path.GetFileName(path);
            try
            {
                var read = reader.Read(path);
                var dataset = read.Dataset;
                var reasons = new List<string>();
                var notes = new List<string>();
                var modality = dataset.GetString(DicomTags.Modality);
                if (modality is not ("PT" or "CT"))
                {
                    reasons.Add($"modality '{modality ?? "none"}': only PET (PT) and CT series are accepted");
                    auditReasons.Add("modality is not PT or CT");
                }

                var gate = DeidentificationGate.Apply(dataset, patient.Pseudonym,
                    policy == DeidentificationPolicy.Scrub ? DeidentificationMode.Scrub : DeidentificationMode.Reject);
                reasons.AddRange(gate.Findings.Select(f => f.ToString()));
                auditReasons.UnionWith(gate.Findings.Select(f => $"{f.Name} {f.Tag}"));
                if (gate.Accepted && gate.Removed.Count > 0 && reasons.Count == 0)
                {
                    var cleanPath = Path.Combine(scrubFolder, $"{i:D6}.dcm");
                    rewriter.WriteWithPixelsOf(gate.Stored!, path, cleanPath);
                    dataset = reader.Read(cleanPath).Dataset;
                    path = cleanPath;
                    var names = gate.Removed.Select(r => r.Name).Distinct().ToList();
                    scrubbedNames.UnionWith(names);
                    notes.Add($"scrubbed {gate.Removed.Count} identifying attributes: {string.Join(", ", names)}");
                }

                fileResults.Add(new IngestFileResult(name, reasons.Count == 0 ? IngestStatus.Accepted : IngestStatus.Refused,
                    dataset.GetString(DicomTags.SeriesInstanceUid), reasons.Count > 0 ? reasons : notes));
                slices.Add(new SliceSource(path, dataset));
            }
            catch (DicomReadException ex)
            {
                fileResults.Add(new IngestFileResult(name, IngestStatus.Refused, null, [ex.Reason]));
                auditReasons.Add("unreadable: " + ex.Reason);
            }

            progress?.Report((i + 1, files.Count));
        }

        // 2. Assemble and check each series; derive PET quantitation.
        var seriesResults = new List<IngestSeriesResult>();
        var accepted = new List<(SeriesAssembly Assembly, SuvResult? Suv)>();
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            foreach (var series in SeriesAssembler.Assemble(slices))
            {
                var reasons = series.Problems.ToList();
                var refusedFiles = fileResults.Count(f => f.SeriesInstanceUid == series.SeriesInstanceUid && f.Status == IngestStatus.Refused);
                if (refusedFiles > 0)
                {
                    reasons.Add($"{refusedFiles} of its files were refused");
                }

                SuvResult? suv = null;
                if (reasons.Count == 0 && series.Modality == "PT")
                {
                    try
                    {
                        suv = SuvCalculator.Compute(series.Slices.Select(s => s.Dataset).ToList());
                    }
                    catch (SuvException ex)
                    {
                        reasons.Add("PET quantitation: " + ex.Message);
                    }
                }

                var existing = await db.ImagingSeries.AsNoTracking().SingleOrDefaultAsync(s => s.SeriesInstanceUid == series.SeriesInstanceUid, cancellationToken);
                if (existing is not null && existing.PatientId != patient.Id)
                {
                    reasons.Add("this series is already stored for another patient");
                }

                var status = reasons.Count > 0 ? IngestStatus.Refused
                    : existing is not null && existing.InstanceCount == series.Slices.Count ? IngestStatus.AlreadyStored
                    : IngestStatus.Accepted;
                if (existing is not null && status == IngestStatus.Accepted)
                {
                    reasons.Add($"this series is already stored with {existing.InstanceCount} files; this upload has {series.Slices.Count}");
                    status = IngestStatus.Refused;
                }

                seriesResults.Add(new IngestSeriesResult(series.SeriesInstanceUid, series.Modality, series.Slices.Count, status, reasons, suv?.SuvFactor, suv?.Rule));
                if (status == IngestStatus.Accepted)
                {
                    accepted.Add((series, suv));
                }
            }
        }

        var ok = fileResults.All(f => f.Status != IngestStatus.Refused) && seriesResults.All(s => s.Status != IngestStatus.Refused);
        if (!ok)
        {
            auditReasons.UnionWith(seriesResults.Where(r => r.Status == IngestStatus.Refused).SelectMany(r => r.Reasons).Select(WithoutFileNames));
            await AuditAsync(scope, patient, "dicom.refused", new
            {
                files = files.Count,
                refused = fileResults.Count(f => f.Status == IngestStatus.Refused),
                reasons = auditReasons.Take(MaxAuditedReasons),
            }, cancellationToken);
            logger.LogInformation("Upload for {Pseudonym} refused: {Files} files", patient.Pseudonym, files.Count);
            DerbyTelemetry.Uploads.Add(1, new KeyValuePair<string, object?>("upload.outcome", "refused"));
            return new IngestResult(false, files.Count, 0, 0, seriesResults, fileResults);
        }

        // 3. Store the files, then index them, all series in one transaction. The files go to the content-addressed store
        // before the transaction begins: SQLite's write transaction locks the whole database, and copying an upload's files
        // inside it made 50 concurrent uploads wait past the busy timeout ("database is locked"; found by the load test,
        // tests/Derby.Web.EndToEndTests/StowLoad.cs). A file stored but not indexed (a failed or killed upload) is harmless:
        // it is found by its hash and reused when the upload is sent again.
        var stored = 0;
        long storedBytes = 0;
        var inStore = new Dictionary<string, (string Sha, long Size)>(StringComparer.Ordinal);
        foreach (var slice in accepted.SelectMany(a => a.Assembly.Slices))
        {
            inStore[slice.Path] = await store.PutAsync(slice.Path, cancellationToken);
        }

        // Under the provider's execution strategy (ADR 25): a retried attempt starts again from nothing stored in the database.
        await dbFactory.InTransactionAsync(async db =>
        {
            stored = 0;
            storedBytes = 0;
            foreach (var (assembly, suv) in accepted)
            {
                var g = assembly.Geometry!;
                var first = assembly.Slices[0].Dataset;
                var series = new ImagingSeries
                {
                    Id = Guid.NewGuid(),
                    PatientId = patient.Id,
                    Modality = assembly.Modality == "PT" ? ImagingModality.Pet : ImagingModality.Ct,
                    SeriesInstanceUid = assembly.SeriesInstanceUid,
                    StudyInstanceUid = first.GetString(DicomTags.StudyInstanceUid),
                    FrameOfReferenceUid = g.FrameOfReferenceUid,
                    InstanceCount = assembly.Slices.Count,
                    Rows = g.Rows,
                    Columns = g.Columns,
                    PixelSpacing = string.Join('\\', g.PixelSpacing.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                    SliceSpacingMm = g.SliceSpacing,
                    Orientation = string.Join('\\', g.Orientation.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                    Manufacturer = first.GetString(DicomTags.Manufacturer),
                    Model = first.GetString(DicomTags.ManufacturerModelName),
                    SuvFactor = suv?.SuvFactor,
                    SuvRule = suv?.Rule,
                    SuvTags = suv is null ? null : string.Join(' ', suv.TagsUsed.Select(t => t.ToString())),
                    ReceivedUtc = clock.UtcNow,
                };
                db.ImagingSeries.Add(series);
                for (var k = 0; k < assembly.Slices.Count; k++)
                {
                    var slice = assembly.Slices[k];
                    var (sha, size) = inStore[slice.Path];
                    var position = slice.Dataset.GetNumbers(DicomTags.ImagePositionPatient)!;
                    series.Instances.Add(new ImagingInstance
                    {
                        SopInstanceUid = slice.Dataset.GetString(DicomTags.SopInstanceUid) ?? throw new InvalidOperationException("SOP Instance UID missing"),
                        Sha256 = sha,
                        SizeBytes = size,
                        SliceIndex = k,
                        PositionMm = position[0] * g.Normal[0] + position[1] * g.Normal[1] + position[2] * g.Normal[2],
                    });
                    stored++;
                    storedBytes += size;
                }
            }

            db.AuditEvents.Add(Audit(scope, patient, "dicom.ingested", new
            {
                series = accepted.Select(a => new { uid = a.Assembly.SeriesInstanceUid, a.Assembly.Modality, files = a.Assembly.Slices.Count }),
                scrubbed = scrubbedNames,
            }));
            await db.SaveChangesAsync(cancellationToken);
            FaultPoints.Pass("dicom.commit");
        }, cancellationToken);

        DerbyTelemetry.Uploads.Add(1, new KeyValuePair<string, object?>("upload.outcome", "accepted"));
        DerbyTelemetry.UploadInstances.Add(stored);
        DerbyTelemetry.UploadBytes.Add(storedBytes);
        var already = seriesResults.Where(s => s.Status == IngestStatus.AlreadyStored).Sum(s => s.Files);
        logger.LogInformation("Upload for {Pseudonym}: {Stored} files stored, {Already} already stored", patient.Pseudonym, stored, already);
        return new IngestResult(true, files.Count, stored, already, seriesResults, fileResults);
    }

    /// <summary>
    /// Records an upload refused before any file was read (staging: a hostile archive, a bad name, a limit) as
    /// "upload.refused" with the rules it broke, so that every upload, accepted or refused, is in the audit trail.
    /// </summary>
    public async Task RecordRefusedUploadAsync(AccessScope scope, Guid patientId, int parts, IEnumerable<string> rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Patient? patient;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        }

        if (patient is null)
        {
            return;
        }

        await AuditAsync(scope, patient, "upload.refused", new { parts, reasons = rules.Distinct().Order(StringComparer.Ordinal).Take(MaxAuditedReasons) },
            cancellationToken);
        DerbyTelemetry.Uploads.Add(1, new KeyValuePair<string, object?>("upload.outcome", "refused"));
    }

    private const int MaxAuditedReasons = 20;

    /// <summary>A series problem without the file names it quotes (names are the sender's and may identify someone).</summary>
    private static string WithoutFileNames(string problem)
    {
        var cut = problem.IndexOfAny([':', '(']);
        return (cut > 0 ? problem[..cut] : problem).Trim();
    }

    private async Task AuditAsync(AccessScope scope, Patient patient, string action, object details, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        db.AuditEvents.Add(Audit(scope, patient, action, details));
        await db.SaveChangesAsync(ct);
    }

    private AuditEvent Audit(AccessScope scope, Patient patient, string action, object details) => new()
    {
        OccurredUtc = clock.UtcNow,
        Actor = scope.UserName,
        Action = action,
        EntityType = nameof(Patient),
        EntityId = patient.Id.ToString(),
        SiteId = patient.SiteId,
        Details = JsonSerializer.Serialize(details),
    };
}
