using System.Text.Json;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Patients;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Derby.Application.Imports;

/// <summary>
/// CSV import of patients, clinical data, IHC scores or outcomes into one site. <see cref="StartAsync"/> keeps the file
/// and queues a job; <see cref="RunAsync"/> (the job) validates every row first and then writes all rows in one
/// transaction, or nothing. Running a job twice, or after a crash, gives the same result as running it once.
/// </summary>
public sealed class CsvImportService(
    IDerbyDbContextFactory dbFactory,
    IImportFileStore files,
    IBackgroundJobs jobs,
    IClock clock,
    ILogger<CsvImportService> logger)
{
    /// <summary>Largest file accepted (a site's whole cohort is far below this).</summary>
    public const int MaxFileBytes = 5 * 1024 * 1024;

    public const int MaxRows = 50_000;

    /// <summary>At most this many errors are kept; the count of the rest is reported.</summary>
    public const int MaxReportedErrors = 500;

    private const int ProgressEvery = 250;
    private const int WriteBatch = 100;

    public async Task<ImportRun> StartAsync(AccessScope scope, string siteCode, ImportKind kind, string fileName, Stream content,
        CancellationToken cancellationToken = default)
    {
        int siteId;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Code == siteCode, cancellationToken);
            if (site is null || !scope.CanRead(site.Id))
            {
                throw new NotFoundException($"No site '{siteCode}'");
            }

            if (!scope.CanEdit(site.Id))
            {
                throw new ForbiddenException($"Only coordinators of site {site.Code} can import its data");
            }

            siteId = site.Id;
        }

        byte[] bytes;
        try
        {
            bytes = await ReadLimitedAsync(content, cancellationToken);
        }
        catch (ValidationFailedException ex)
        {
            // Refused before a run exists: audited here, as every upload accepted or refused is.
            await using var audit = await dbFactory.CreateAsync(cancellationToken);
            audit.AuditEvents.Add(new AuditEvent
            {
                OccurredUtc = clock.UtcNow,
                Actor = scope.UserName,
                Action = "import.refused",
                EntityType = nameof(ImportRun),
                SiteId = siteId,
                Details = JsonSerializer.Serialize(new { kind = kind.ToString(), file = SafeFileName(fileName), reasons = ex.Errors.Select(e => e.Message) }),
            });
            await audit.SaveChangesAsync(cancellationToken);
            throw;
        }

        var sha = await files.SaveAsync(bytes, cancellationToken);

        await using var ctx = await dbFactory.CreateAsync(cancellationToken);
        // The same file for the same table still in flight (a double click, a retried request): hand back that run.
        var inFlight = await ctx.ImportRuns.FirstOrDefaultAsync(r => r.SiteId == siteId && r.Kind == kind && r.FileSha256 == sha
            && (r.Status == ImportStatus.Queued || r.Status == ImportStatus.Validating || r.Status == ImportStatus.Writing), cancellationToken);
        if (inFlight is not null)
        {
            return inFlight;
        }

        var run = new ImportRun
        {
            Id = Guid.NewGuid(),
            SiteId = siteId,
            Kind = kind,
            FileName = SafeFileName(fileName),
            FileSha256 = sha,
            Status = ImportStatus.Queued,
            RequestedBy = scope.UserName,
            CreatedUtc = clock.UtcNow,
        };
        ctx.ImportRuns.Add(run);
        await ctx.SaveChangesAsync(cancellationToken);
        jobs.EnqueueImport(run.Id);
        return run;
    }

    public async Task<ImportRun?> GetAsync(AccessScope scope, Guid importRunId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var run = await db.ImportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == importRunId, cancellationToken);
        return run is not null && scope.CanRead(run.SiteId) ? run : null;
    }

    public async Task<IReadOnlyList<ImportRun>> ListAsync(AccessScope scope, int siteId, int take = 20, CancellationToken cancellationToken = default)
    {
        if (!scope.CanRead(siteId))
        {
            return [];
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var runs = await db.ImportRuns.AsNoTracking().Where(r => r.SiteId == siteId).ToListAsync(cancellationToken);
        return runs.OrderByDescending(r => r.CreatedUtc).Take(take).ToList();
    }

    public static IReadOnlyList<ImportError> ErrorsOf(ImportRun run) =>
        run.ErrorsJson is null ? [] : JsonSerializer.Deserialize<List<ImportError>>(run.ErrorsJson) ?? [];

    /// <summary>The job: validate everything, then write everything or nothing. Safe to run again at any point.</summary>
    public async Task RunAsync(Guid importRunId, CancellationToken cancellationToken = default)
    {
        ImportRun run;
        Site site;
        await using (var db = await dbFactory.CreateAsync(cancellationToken))
        {
            run = await db.ImportRuns.SingleOrDefaultAsync(r => r.Id == importRunId, cancellationToken)
                ?? throw new NotFoundException($"No import run {importRunId}");
            if (run.Status is ImportStatus.Succeeded or ImportStatus.Rejected or ImportStatus.Failed)
            {
                logger.LogInformation("Import {ImportRunId} already finished as {Status}; nothing to do", run.Id, run.Status);
                return;
            }

            site = await db.Sites.AsNoTracking().SingleAsync(s => s.Id == run.SiteId, cancellationToken);
        }

        var format = ImportFormat.Get(run.Kind);
        var bytes = await files.ReadAsync(run.FileSha256, cancellationToken);
        var (rows, errors) = await ValidateAsync(run, site, format, bytes, cancellationToken);

        if (errors.Count > 0)
        {
            await FinishRejectedAsync(run.Id, errors, cancellationToken);
            return;
        }

        await WriteAsync(run.Id, site, format, rows, cancellationToken);
    }

    private async Task<(List<ParsedRow> Rows, List<ImportError> Errors)> ValidateAsync(ImportRun run, Site site, ImportFormat format, byte[] bytes,
        CancellationToken cancellationToken)
    {
        var errors = new List<ImportError>();
        var rows = new List<ParsedRow>();
        var (document, fileError) = CsvDocument.Parse(bytes);
        if (fileError is not null)
        {
            return (rows, [fileError]);
        }

        var columns = CheckHeader(document!.Header, format, errors);
        if (errors.Count > 0)
        {
            return (rows, errors);
        }

        if (document.Rows.Count == 0)
        {
            return (rows, [new ImportError(0, null, "The file has a header but no data rows")]);
        }

        if (document.Rows.Count > MaxRows)
        {
            return (rows, [new ImportError(0, null, $"The file has {document.Rows.Count} rows; at most {MaxRows} are accepted in one import")]);
        }

        await SetProgressAsync(run.Id, ImportStatus.Validating, 0, document.Rows.Count, cancellationToken);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < document.Rows.Count; i++)
        {
            var csvRow = document.Rows[i];
            if (csvRow.Fields.Count != document.Header.Count)
            {
                errors.Add(new ImportError(csvRow.Line, null, $"The row has {csvRow.Fields.Count} fields; the header has {document.Header.Count}"));
                continue;
            }

            var parsed = format.Parse(new RowReader(csvRow, columns, errors), site.Code, errors);
            if (parsed is not null)
            {
                if (seen.TryGetValue(parsed.Pseudonym, out var firstLine))
                {
                    errors.Add(new ImportError(csvRow.Line, ImportFormat.PseudonymColumn,
                        $"Patient {parsed.Pseudonym} appears again (first on line {firstLine}): each patient must appear once"));
                }
                else
                {
                    seen[parsed.Pseudonym] = csvRow.Line;
                    rows.Add(parsed);
                }
            }

            if ((i + 1) % ProgressEvery == 0)
            {
                await SetProgressAsync(run.Id, ImportStatus.Validating, i + 1, document.Rows.Count, cancellationToken);
            }
        }

        await CheckReferencesAsync(site, format, rows, errors, cancellationToken);
        await SetProgressAsync(run.Id, ImportStatus.Validating, document.Rows.Count, document.Rows.Count, cancellationToken);
        return (rows, errors.OrderBy(e => e.Line).ToList());
    }

    private static Dictionary<string, int> CheckHeader(IReadOnlyList<string> header, ImportFormat format, List<ImportError> errors)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var known = format.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i];
            if (header.Count == 1 && name.Contains(';'))
            {
                errors.Add(new ImportError(1, null, "Columns are separated by ';': save the file as comma-separated CSV"));
                return columns;
            }

            if (!known.Contains(name))
            {
                errors.Add(new ImportError(1, name, $"Unknown column '{name}'; the {format.Title.ToLowerInvariant()} format has: {format.HeaderLine}"));
            }
            else if (!columns.TryAdd(name, i))
            {
                errors.Add(new ImportError(1, name, $"Column '{name}' appears twice"));
            }
        }

        foreach (var missing in format.Columns.Where(c => c.Required && !columns.ContainsKey(c.Name)))
        {
            errors.Add(new ImportError(1, missing.Name, $"Required column '{missing.Name}' is missing ({missing.Description})"));
        }

        return columns;
    }

    private async Task CheckReferencesAsync(Site site, ImportFormat format, List<ParsedRow> rows, List<ImportError> errors,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var known = (await db.Patients.AsNoTracking().Where(p => p.SiteId == site.Id).Select(p => p.Pseudonym).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);

        if (format.Kind == ImportKind.Patients)
        {
            var cohorts = (await db.Cohorts.AsNoTracking().Where(c => c.StudyId == site.StudyId).Select(c => c.Code).ToListAsync(cancellationToken))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var row in rows.Cast<PatientRow>())
            {
                foreach (var code in row.Input.CohortCodes.Where(c => !cohorts.Contains(c)))
                {
                    errors.Add(new ImportError(row.Line, "cohorts", $"Unknown cohort '{code}'; the study's cohorts are: {string.Join(", ", cohorts.Order())}"));
                }
            }

            return;
        }

        foreach (var row in rows.Where(r => !known.Contains(r.Pseudonym)))
        {
            errors.Add(new ImportError(row.Line, ImportFormat.PseudonymColumn,
                $"Unknown patient {row.Pseudonym} at site {site.Code}: register the patient first (patients import or the site page)"));
        }
    }

    private async Task WriteAsync(Guid runId, Site site, ImportFormat format, List<ParsedRow> rows, CancellationToken cancellationToken)
    {
        await SetProgressAsync(runId, ImportStatus.Writing, 0, rows.Count, cancellationToken);

        // One transaction for every row and the run's status, under the provider's execution strategy (ADR 25).
        await dbFactory.InTransactionAsync(async db =>
        {
            var now = clock.UtcNow;
            var patients = await LoadPatientsAsync(db, site.Id, format.Kind, cancellationToken);
            var cohorts = await db.Cohorts.Where(c => c.StudyId == site.StudyId).ToDictionaryAsync(c => c.Code, cancellationToken);

            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                patients.TryGetValue(row.Pseudonym, out var patient);
                switch (row)
                {
                    case PatientRow p:
                        if (patient is null)
                        {
                            patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = p.Pseudonym, CreatedUtc = now };
                            db.Patients.Add(patient);
                            patients[p.Pseudonym] = patient;
                        }

                        PatientService.ApplyRegistration(patient, p.Input, cohorts);
                        break;
                    case ClinicalRow c:
                        var clinical = patient!.Clinical ??= new ClinicalRecord { PatientId = patient.Id };
                        c.Input.ApplyTo(clinical);
                        clinical.UpdatedUtc = now;
                        break;
                    case BiopsyRow b:
                        var biopsy = patient!.Biopsy ??= new BiopsyScores { PatientId = patient.Id };
                        b.Input.ApplyTo(biopsy);
                        biopsy.UpdatedUtc = now;
                        break;
                    case OutcomeRow o:
                        var outcome = patient!.Outcome ??= new Outcome { PatientId = patient.Id };
                        o.Input.ApplyTo(outcome);
                        outcome.UpdatedUtc = now;
                        break;
                }

                if ((i + 1) % WriteBatch == 0)
                {
                    // Flushed inside the transaction: visible to no one until the commit below.
                    await db.SaveChangesAsync(cancellationToken);
                    FaultPoints.Pass("import.write");
                }
            }

            var run = await db.ImportRuns.SingleAsync(r => r.Id == runId, cancellationToken);
            run.Status = ImportStatus.Succeeded;
            run.ProcessedRows = rows.Count;
            run.WrittenRows = rows.Count;
            run.ErrorsJson = null;
            run.CompletedUtc = clock.UtcNow;
            db.AuditEvents.Add(new AuditEvent
            {
                OccurredUtc = run.CompletedUtc.Value,
                Actor = run.RequestedBy,
                Action = "import.succeeded",
                EntityType = nameof(ImportRun),
                EntityId = run.Id.ToString(),
                SiteId = site.Id,
                Details = JsonSerializer.Serialize(new { kind = format.Kind.ToString(), file = run.FileName, sha256 = run.FileSha256, rows = rows.Count }),
            });
            await db.SaveChangesAsync(cancellationToken);
            FaultPoints.Pass("import.commit");
        }, cancellationToken);
        logger.LogInformation("Import {ImportRunId}: {Rows} {Kind} rows written for site {Site}", runId, rows.Count, format.Kind, site.Code);
    }

    private static async Task<Dictionary<string, Patient>> LoadPatientsAsync(IDerbyDbContext db, int siteId, ImportKind kind, CancellationToken ct)
    {
        IQueryable<Patient> query = db.Patients.Where(p => p.SiteId == siteId);
        query = kind switch
        {
            ImportKind.Patients => query.Include(p => p.Cohorts),
            ImportKind.Clinical => query.Include(p => p.Clinical),
            ImportKind.Ihc => query.Include(p => p.Biopsy),
            ImportKind.Outcomes => query.Include(p => p.Outcome),
            _ => query,
        };
        return await query.ToDictionaryAsync(p => p.Pseudonym, StringComparer.Ordinal, ct);
    }

    private async Task FinishRejectedAsync(Guid runId, List<ImportError> errors, CancellationToken cancellationToken)
    {
        var kept = errors.Take(MaxReportedErrors).ToList();
        if (errors.Count > MaxReportedErrors)
        {
            kept.Add(new ImportError(0, null, $"... and {errors.Count - MaxReportedErrors} more errors"));
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var run = await db.ImportRuns.SingleAsync(r => r.Id == runId, cancellationToken);
        run.Status = ImportStatus.Rejected;
        run.ErrorsJson = JsonSerializer.Serialize(kept);
        run.WrittenRows = 0;
        run.CompletedUtc = clock.UtcNow;
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredUtc = run.CompletedUtc.Value,
            Actor = run.RequestedBy,
            Action = "import.rejected",
            EntityType = nameof(ImportRun),
            EntityId = run.Id.ToString(),
            SiteId = run.SiteId,
            Details = JsonSerializer.Serialize(new
            {
                kind = run.Kind.ToString(),
                file = run.FileName,
                sha256 = run.FileSha256,
                errors = errors.Count,
                // The columns with errors (file-level problems by their message): never the values, which may be what was refused.
                reasons = errors.Select(e => e.Column is null ? e.Message : $"column {e.Column}").Distinct().Order(StringComparer.Ordinal).Take(20),
            }),
        });
        await db.SaveChangesAsync(cancellationToken);

        // A refused file is not kept (it may hold what was refused); another run still in flight with the same content keeps it.
        var stillNeeded = await db.ImportRuns.AnyAsync(r => r.Id != runId && r.FileSha256 == run.FileSha256
            && (r.Status == ImportStatus.Queued || r.Status == ImportStatus.Validating || r.Status == ImportStatus.Writing), cancellationToken);
        if (!stillNeeded)
        {
            await files.DeleteAsync(run.FileSha256, cancellationToken);
        }

        logger.LogInformation("Import {ImportRunId} refused with {Errors} errors", runId, errors.Count);
    }

    private async Task SetProgressAsync(Guid runId, ImportStatus status, int processed, int total, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        await db.ImportRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.ProcessedRows, processed)
            .SetProperty(r => r.TotalRows, total), cancellationToken);
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw new ValidationFailedException([new FieldError("file", $"The file is larger than {MaxFileBytes / (1024 * 1024)} MB")]);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string SafeFileName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        // Control and invisible formatting characters (a right-to-left override makes "x\u202Evsc.exe" read "xexe.csv") and
        // unpaired surrogates are dropped; the name is shown and audited, never used as a path.
        name = new string(name.Where((c, i) => !char.IsControl(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format
            && (!char.IsSurrogate(c) || char.IsSurrogatePair(name, char.IsHighSurrogate(c) ? i : Math.Max(0, i - 1)))).ToArray());
        name = name.Normalize(System.Text.NormalizationForm.FormC);
        return string.IsNullOrWhiteSpace(name) ? "upload.csv" : name.Length > 128 ? name[..128] : name;
    }
}
