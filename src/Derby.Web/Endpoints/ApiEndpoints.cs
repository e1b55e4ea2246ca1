using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imports;
using Derby.Application.Patients;
using Derby.Application.Study;
using Derby.Domain;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Derby.Web.Endpoints;

/// <summary>
/// JSON API over the same use cases as the pages. Every call is signed in; what a caller may not see answers 404,
/// what they may see but not change answers 403, bad input answers 400 with every field's reason.
/// Calls that change state carry the anti-forgery token in the X-XSRF-TOKEN header (GET /api/antiforgery gives one).
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Largest CSV import request: the file limit and 64 KiB for the multipart framing.</summary>
    public const long CsvImportRequestLimit = CsvImportService.MaxFileBytes + 64 * 1024;

    public static IEndpointRouteBuilder MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization().AddEndpointFilter<ApiErrorFilter>();

        api.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new { headerName = tokens.HeaderName, token = tokens.RequestToken });
        });

        api.MapGet("/study", async (HttpContext http, AccessScopeProvider scopes, StudyService study, CancellationToken ct) =>
            await study.GetOverviewAsync(await scopes.GetAsync(http.User, ct), ct) is { } overview ? Results.Ok(overview) : Results.NotFound());

        api.MapGet("/sites/{code}/patients", async (string code, HttpContext http, AccessScopeProvider scopes, PatientService patients,
            CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            var site = await patients.FindSiteAsync(scope, code, ct);
            return site is null ? Results.NotFound() : Results.Ok(await patients.ListAsync(scope, site.Id, ct));
        });

        api.MapPost("/sites/{code}/patients", async (string code, PatientInput input, HttpContext http, AccessScopeProvider scopes,
            PatientService patients, CancellationToken ct) =>
        {
            var patient = await patients.RegisterAsync(await scopes.GetAsync(http.User, ct), code, input, ct);
            return Results.Created($"/api/patients/{patient.Id}", new { patient.Id, patient.Pseudonym });
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapGet("/patients/{id:guid}", async (Guid id, HttpContext http, AccessScopeProvider scopes, PatientService patients,
            CancellationToken ct) =>
        {
            var patient = await patients.GetAsync(await scopes.GetAsync(http.User, ct), id, ct);
            return patient is null ? Results.NotFound() : Results.Ok(PatientDto.From(patient));
        });

        api.MapPut("/patients/{id:guid}/clinical", async (Guid id, ClinicalInput input, HttpContext http, AccessScopeProvider scopes,
            PatientService patients, CancellationToken ct) =>
        {
            await patients.SaveClinicalAsync(await scopes.GetAsync(http.User, ct), id, input, ct);
            return Results.NoContent();
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapPut("/patients/{id:guid}/ihc", async (Guid id, BiopsyInput input, HttpContext http, AccessScopeProvider scopes,
            PatientService patients, CancellationToken ct) =>
        {
            await patients.SaveBiopsyAsync(await scopes.GetAsync(http.User, ct), id, input, ct);
            return Results.NoContent();
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapPut("/patients/{id:guid}/outcome", async (Guid id, OutcomeInput input, HttpContext http, AccessScopeProvider scopes,
            PatientService patients, CancellationToken ct) =>
        {
            await patients.SaveOutcomeAsync(await scopes.GetAsync(http.User, ct), id, input, ct);
            return Results.NoContent();
        }).AddEndpointFilter<AntiforgeryHeaderFilter>();

        api.MapPost("/sites/{code}/imports/{kind}", async (string code, string kind, IFormFile? file, HttpContext http,
            AccessScopeProvider scopes, CsvImportService imports, CancellationToken ct) =>
        {
            if (ImportFormat.ParseKind(kind) is not { } importKind)
            {
                return Results.NotFound();
            }

            if (file is null)
            {
                throw new ValidationFailedException([new FieldError("file", "Attach the CSV file as form field 'file'")]);
            }

            await using var stream = file.OpenReadStream();
            var run = await imports.StartAsync(await scopes.GetAsync(http.User, ct), code, importKind, file.FileName, stream, ct);
            return Results.Accepted($"/api/imports/{run.Id}", ImportRunDto.From(run));
        }).DisableAntiforgery().AddEndpointFilter<AntiforgeryHeaderFilter>()
            // The CSV limit plus room for the multipart framing: a larger file is refused before it is read (413).
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(CsvImportRequestLimit))
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestFormLimitsAttribute { MultipartBodyLengthLimit = CsvImportRequestLimit });

        api.MapGet("/imports/{id:guid}", async (Guid id, HttpContext http, AccessScopeProvider scopes, CsvImportService imports,
            CancellationToken ct) =>
        {
            var run = await imports.GetAsync(await scopes.GetAsync(http.User, ct), id, ct);
            return run is null ? Results.NotFound() : Results.Ok(ImportRunDto.From(run));
        });

        api.MapGet("/patients/{id:guid}/images", async (Guid id, HttpContext http, AccessScopeProvider scopes, Derby.Application.Imaging.ImagingQueries imaging,
            CancellationToken ct) =>
            Results.Ok((await imaging.SeriesOfAsync(await scopes.GetAsync(http.User, ct), id, ct)).Select(s => new
            {
                s.Id, s.SeriesInstanceUid, s.StudyInstanceUid, s.Modality, s.InstanceCount, s.Rows, s.Columns, s.PixelSpacing, s.SliceSpacingMm, s.SuvFactor, s.SuvRule,
            })));

        // DICOM files or zip archives as multipart form parts, streamed to the staging folder, then ingested whole or not at all.
        api.MapPost("/patients/{id:guid}/images", async (Guid id, HttpContext http, AccessScopeProvider scopes,
            Derby.Application.Imaging.DicomIngestService ingest, Derby.Infrastructure.DerbyOptionsAccessor options, CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            // Access first: nothing of an upload is read for a patient the caller may not change.
            await ingest.CheckAccessAsync(scope, id, ct);
            if (!http.Request.HasFormContentType)
            {
                throw new ValidationFailedException([new FieldError("files", "Send the files as multipart/form-data")]);
            }

            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(ct);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException && !ct.IsCancellationRequested)
            {
                // A body cut short or malformed is the sender's error (400), not the server's (bad-input corpus, issue #10).
                await ingest.RecordRefusedUploadAsync(scope, id, 0, ["MalformedBody"], ct);
                throw new ValidationFailedException([new FieldError("files", "The multipart/form-data body is malformed or cut short: " + ex.Message.Trim())]);
            }

            var parts = form.Files.Select(f => new Derby.Application.Uploads.UploadPart(f.FileName, f.OpenReadStream, f.Length)).ToList();
            Derby.Application.Uploads.StagedUpload staged;
            try
            {
                staged = await Derby.Application.Uploads.UploadStaging.StageAsync(parts, Path.Combine(options.Value.DataPath, Derby.Application.Uploads.UploadStaging.RootFolder),
                    Derby.Application.Uploads.UploadLimits.Default, null, ct);
            }
            catch (Derby.Application.Uploads.UploadRejectedException ex)
            {
                await ingest.RecordRefusedUploadAsync(scope, id, parts.Count, ex.Reasons.Select(r => r.Rule.ToString()), ct);
                throw;
            }

            try
            {
                var result = await ingest.IngestAsync(scope, id, staged.Files.Select(f => f.FullPath).ToList(), cancellationToken: ct);
                return result.Accepted ? Results.Ok(result) : Results.UnprocessableEntity(result);
            }
            finally
            {
                staged.Delete();
            }
        }).DisableAntiforgery().AddEndpointFilter<AntiforgeryHeaderFilter>()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Derby.Application.Uploads.UploadLimits.Default.MaxTotalBytes))
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestFormLimitsAttribute { MultipartBodyLengthLimit = Derby.Application.Uploads.UploadLimits.Default.MaxTotalBytes });

        api.MapGet("/imports/templates/{kind}", (string kind) =>
            ImportFormat.ParseKind(kind.Replace(".csv", "", StringComparison.OrdinalIgnoreCase)) is { } k
                ? Results.Text(ImportFormat.Get(k).HeaderLine + "\n", "text/csv")
                : Results.NotFound());

        return app;
    }
}

/// <summary>Turns the use cases' exceptions into status codes: 404, 403, 400 with field errors.</summary>
internal sealed class ApiErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (NotFoundException)
        {
            return Results.NotFound();
        }
        catch (ForbiddenException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (ConflictException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ValidationFailedException ex)
        {
            return Results.ValidationProblem(ex.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => Bounded(e.Message)).ToArray()));
        }
        catch (Derby.Application.Uploads.UploadRejectedException ex)
        {
            return Results.Problem("The upload was refused; nothing was stored: " + string.Join("; ", ex.Reasons), statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    /// <summary>
    /// A message that quotes what was sent ("Unknown cohort '...'") stays readable when what was sent is 100,000
    /// characters: the quote is cut, the reason kept (bad-input corpus, issue #10).
    /// </summary>
    internal static string Bounded(string message, int max = 400)
    {
        if (message.Length <= max)
        {
            return message;
        }

        // Never cut between the two halves of a surrogate pair.
        var head = char.IsLowSurrogate(message[max / 2]) ? max / 2 - 1 : max / 2;
        var tail = message.Length - max / 2;
        tail = char.IsLowSurrogate(message[tail]) ? tail + 1 : tail;
        return message[..head] + $" [... {tail - head} characters ...] " + message[tail..];
    }
}

/// <summary>State-changing API calls must carry the anti-forgery token, as cookie authentication alone invites cross-site requests.</summary>
internal sealed class AntiforgeryHeaderFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
        {
            return Results.Problem("Missing or invalid anti-forgery token (X-XSRF-TOKEN header)", statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context);
    }
}

internal sealed record PatientDto(
    Guid Id,
    string Pseudonym,
    string Site,
    TreatmentArm TreatmentArm,
    IReadOnlyList<string> Cohorts,
    ClinicalInput? Clinical,
    BiopsyInput? Ihc,
    OutcomeInput? Outcome)
{
    public static PatientDto From(Patient p) => new(p.Id, p.Pseudonym, p.Site!.Code, p.TreatmentArm,
        p.Cohorts.Select(c => c.Cohort!.Code).Order().ToList(),
        p.Clinical is null ? null : ClinicalInput.From(p.Clinical),
        p.Biopsy is null ? null : BiopsyInput.From(p.Biopsy),
        p.Outcome is null ? null : OutcomeInput.From(p.Outcome));
}

internal sealed record ImportRunDto(Guid Id, ImportKind Kind, ImportStatus Status, string FileName, int TotalRows, int ProcessedRows,
    int WrittenRows, double Progress, IReadOnlyList<ImportError> Errors)
{
    public static ImportRunDto From(ImportRun r) => new(r.Id, r.Kind, r.Status, r.FileName, r.TotalRows, r.ProcessedRows, r.WrittenRows,
        r.Progress, CsvImportService.ErrorsOf(r));
}
