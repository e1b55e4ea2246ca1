using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Derby.Imaging.Dicom;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Imaging;

/// <summary>What became of one file of a STOW-RS request.</summary>
public sealed record StowFileResult(string File, string Status, string? Patient, string? SeriesInstanceUid, IReadOnlyList<string> Reasons);

/// <summary>
/// The outcome of a STOW-RS request: each file's status, and each patient's ingest result.
/// <see cref="Accepted"/> only when every file is stored (or was already).
/// </summary>
public sealed record StowResult(bool Accepted, int Files, int Stored, int AlreadyStored, IReadOnlyList<StowFileResult> FileResults,
    IReadOnlyList<StowPatientResult> Patients);

public sealed record StowPatientResult(string Patient, IngestResult Result);

/// <summary>A stored series as QIDO-RS lists it.</summary>
public sealed record DicomWebSeries(string StudyInstanceUid, string SeriesInstanceUid, string Modality, int Instances, string Patient, DateTime ReceivedUtc);

/// <summary>A stored instance as WADO-RS returns it: where its file is.</summary>
public sealed record DicomWebInstance(string SopInstanceUid, string Path, long SizeBytes);

/// <summary>
/// DICOMweb over the imaging store. STOW-RS: files may be of several patients; each file's Patient ID (the pseudonym)
/// names the patient, who must be at a site the caller may edit, else the file is refused as an unknown patient
/// (a patient at another site is not told apart from one that does not exist). If any file is refused up front, nothing
/// is ingested; otherwise each patient's files are ingested whole or not at all (ADR 0010).
/// QIDO-RS and WADO-RS see only the series of sites the caller may read; anything else is not found.
/// </summary>
public sealed class DicomWebService(IDerbyDbContextFactory dbFactory, IDicomFileReader reader, DicomIngestService ingest, IDicomStore store, IClock clock)
{
    /// <summary>
    /// Records a STOW-RS request refused before any patient's files were ingested (a malformed body, unreadable files,
    /// unknown patients) as "dicom.refused" with its reasons; the refusals of a patient's files are recorded by the ingest.
    /// </summary>
    public async Task RecordRefusedAsync(AccessScope scope, int files, IEnumerable<string> reasons, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredUtc = clock.UtcNow,
            Actor = scope.UserName,
            Action = "dicom.refused",
            // A site token (or a coordinator of one site) sends for one site: the event is that site's.
            SiteId = scope.CoordinatedSiteIds.Count == 1 ? scope.CoordinatedSiteIds.Single() : null,
            Details = System.Text.Json.JsonSerializer.Serialize(new { via = "stow-rs", files, reasons = reasons.Distinct().Order(StringComparer.Ordinal).Take(20) }),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<StowResult> StoreAsync(AccessScope scope, IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        if (files.Count == 0)
        {
            await RecordRefusedAsync(scope, 0, ["no DICOM parts"], cancellationToken);
            throw new ValidationFailedException([new FieldError("files", "The request holds no DICOM parts")]);
        }

        var pseudonyms = new Dictionary<string, string?>();
        foreach (var path in files)
        {
            try
            {
                pseudonyms[path] = reader.Read(path).Dataset.GetString(DicomTags.PatientId);
            }
            catch (DicomReadException)
            {
                pseudonyms[path] = null;
            }
        }

        var wanted = pseudonyms.Values.OfType<string>().Distinct().ToList();
        Dictionary<string, (Guid Id, int SiteId)> patients;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            patients = (await db.Patients.AsNoTracking().Where(p => wanted.Contains(p.Pseudonym))
                    .Select(p => new { p.Pseudonym, p.Id, p.SiteId }).ToListAsync(cancellationToken))
                .Where(p => scope.CanEdit(p.SiteId))
                .ToDictionary(p => p.Pseudonym, p => (p.Id, p.SiteId), StringComparer.Ordinal);
        }

        var refused = new List<StowFileResult>();
        foreach (var path in files)
        {
            var pseudonym = pseudonyms[path];
            if (pseudonym is null)
            {
                refused.Add(new StowFileResult(Path.GetFileName(path), IngestStatus.Refused, null, null, ["not a readable DICOM file with a Patient ID"]));
            }
            else if (!patients.ContainsKey(pseudonym))
            {
                refused.Add(new StowFileResult(Path.GetFileName(path), IngestStatus.Refused, pseudonym, null,
                    ["unknown patient: register the patient at your site first"]));
            }
        }

        if (refused.Count > 0)
        {
            await RecordRefusedAsync(scope, files.Count, refused.Select(r => r.Reasons[0]), cancellationToken);
            var ok = files.Where(f => refused.All(r => r.File != Path.GetFileName(f)))
                .Select(f => new StowFileResult(Path.GetFileName(f), IngestStatus.Refused, pseudonyms[f], null, ["other files of the request were refused"]));
            return new StowResult(false, files.Count, 0, 0, refused.Concat(ok).ToList(), []);
        }

        var results = new List<StowPatientResult>();
        foreach (var group in files.GroupBy(f => pseudonyms[f]!, StringComparer.Ordinal))
        {
            var result = await ingest.IngestAsync(scope, patients[group.Key].Id, group.ToList(), cancellationToken: cancellationToken);
            results.Add(new StowPatientResult(group.Key, result));
        }

        var fileResults = results.SelectMany(r => r.Result.FileResults.Select(f => new StowFileResult(f.File,
            !r.Result.Accepted ? IngestStatus.Refused
            : r.Result.Series.FirstOrDefault(s => s.SeriesInstanceUid == f.SeriesInstanceUid)?.Status ?? f.Status,
            r.Patient, f.SeriesInstanceUid,
            !r.Result.Accepted && f.Reasons.Count == 0 ? ["other files of this patient were refused"] : f.Reasons))).ToList();
        return new StowResult(results.All(r => r.Result.Accepted), files.Count, results.Sum(r => r.Result.Stored),
            results.Sum(r => r.Result.AlreadyStored), fileResults, results);
    }

    public async Task<IReadOnlyList<DicomWebSeries>> SeriesAsync(AccessScope scope, string? studyInstanceUid = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var query = Readable(scope, db.ImagingSeries.AsNoTracking());
        if (studyInstanceUid is not null)
        {
            query = query.Where(s => s.StudyInstanceUid == studyInstanceUid);
        }

        var rows = await query.Where(s => s.StudyInstanceUid != null)
            .Select(s => new { s.StudyInstanceUid, s.SeriesInstanceUid, s.Modality, s.InstanceCount, s.Patient!.Pseudonym, s.ReceivedUtc })
            .ToListAsync(cancellationToken);
        return rows.Select(s => new DicomWebSeries(s.StudyInstanceUid!, s.SeriesInstanceUid, s.Modality == ImagingModality.Pet ? "PT" : "CT",
                s.InstanceCount, s.Pseudonym, s.ReceivedUtc))
            .OrderBy(s => s.StudyInstanceUid, StringComparer.Ordinal).ThenBy(s => s.SeriesInstanceUid, StringComparer.Ordinal).ToList();
    }

    /// <summary>The instance, if the caller may read its patient's site and the study and series match; else null (not found).</summary>
    public async Task<DicomWebInstance?> InstanceAsync(AccessScope scope, string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var series = Readable(scope, db.ImagingSeries.AsNoTracking())
            .Where(s => s.StudyInstanceUid == studyInstanceUid && s.SeriesInstanceUid == seriesInstanceUid);
        var instance = await db.ImagingInstances.AsNoTracking()
            .Where(i => i.SopInstanceUid == sopInstanceUid && series.Any(s => s.Id == i.SeriesId))
            .Select(i => new { i.SopInstanceUid, i.Sha256, i.SizeBytes })
            .SingleOrDefaultAsync(cancellationToken);
        return instance is null ? null : new DicomWebInstance(instance.SopInstanceUid, store.PathOf(instance.Sha256), instance.SizeBytes);
    }

    /// <summary>
    /// Every instance of the series in slice order, if the caller may read its patient's site and the study matches;
    /// else empty (not found).
    /// </summary>
    public async Task<IReadOnlyList<DicomWebInstance>> SeriesInstancesAsync(AccessScope scope, string studyInstanceUid, string seriesInstanceUid,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var series = Readable(scope, db.ImagingSeries.AsNoTracking())
            .Where(s => s.StudyInstanceUid == studyInstanceUid && s.SeriesInstanceUid == seriesInstanceUid);
        var instances = await db.ImagingInstances.AsNoTracking()
            .Where(i => series.Any(s => s.Id == i.SeriesId))
            .OrderBy(i => i.SliceIndex)
            .Select(i => new { i.SopInstanceUid, i.Sha256, i.SizeBytes })
            .ToListAsync(cancellationToken);
        return instances.Select(i => new DicomWebInstance(i.SopInstanceUid, store.PathOf(i.Sha256), i.SizeBytes)).ToList();
    }

    private static IQueryable<ImagingSeries> Readable(AccessScope scope, IQueryable<ImagingSeries> series)
    {
        if (scope.ReadsAllSites)
        {
            return series;
        }

        var sites = scope.CoordinatedSiteIds.ToList();
        return series.Where(s => sites.Contains(s.Patient!.SiteId));
    }
}
