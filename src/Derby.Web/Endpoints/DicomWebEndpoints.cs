using System.Security.Cryptography;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Imaging;
using Derby.Application.Uploads;
using Derby.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Derby.Web.Endpoints;

/// <summary>
/// DICOMweb (PS3.18) for PACS, tools and the viewer (ADR 0011). Callers sign in with a site API token
/// (<c>Authorization: Bearer derby_...</c>, scheme "SiteToken") or with the staff cookie; the use cases' access rules
/// apply to both. STOW-RS answers 200 when every instance is stored, 409 with the reasons when any is refused.
/// QIDO-RS answers DICOM JSON; WADO-RS answers an instance as multipart/related; type="application/dicom", its metadata (or a whole
/// series' metadata) as DICOM JSON,
/// its frames as uncompressed application/octet-stream parts.
/// Whatever the caller may not read answers 404.
/// </summary>
public static class DicomWebEndpoints
{
    /// <summary>Forwards to "SiteToken" when the request carries a bearer token, else to the staff cookie.</summary>
    public const string Scheme = "DicomWeb";

    public const string DicomJson = "application/dicom+json";

    public static IEndpointRouteBuilder MapDicomWebEndpoints(this IEndpointRouteBuilder app)
    {
        var web = app.MapGroup("/dicomweb")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = Scheme })
            .AddEndpointFilter<ApiErrorFilter>();

        // STOW-RS: multipart/related; type="application/dicom", one DICOM file per part.
        web.MapPost("/studies", async (HttpContext http, AccessScopeProvider scopes, DicomWebService dicomWeb,
            Derby.Infrastructure.DerbyOptionsAccessor options, CancellationToken ct) =>
        {
            var scope = await scopes.GetAsync(http.User, ct);
            if (!scope.Roles.Contains(DerbyRoles.SiteCoordinator))
            {
                throw new ForbiddenException("Only site coordinators and site API tokens store images");
            }

            if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
                || !type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)
                || (type.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase)) is { } t
                    && !HeaderUtilities.RemoveQuotes(t.Value).Equals("application/dicom", StringComparison.OrdinalIgnoreCase)))
            {
                return Results.Problem("Send multipart/related; type=\"application/dicom\"", statusCode: StatusCodes.Status415UnsupportedMediaType);
            }

            var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
            {
                throw new ValidationFailedException([new FieldError("Content-Type", "The multipart boundary is missing or longer than 70 characters")]);
            }

            string folder;
            try
            {
                folder = await ReceiveAsync(http.Request.Body, boundary, Path.Combine(options.Value.DataPath, UploadStaging.RootFolder), UploadLimits.Default, ct);
            }
            catch (ValidationFailedException ex)
            {
                // Refused while receiving (a malformed body, a foreign part, a limit): audited like any refused upload.
                await dicomWeb.RecordRefusedAsync(scope, 0, ex.Errors.Select(e => e.Message), ct);
                throw;
            }

            try
            {
                var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
                var result = await dicomWeb.StoreAsync(scope, files, ct);
                return result.Accepted ? Results.Ok(result) : Results.Conflict(result);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }).DisableAntiforgery().AddEndpointFilter<CookieAntiforgeryFilter>()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(UploadLimits.Default.MaxTotalBytes));

        // QIDO-RS
        web.MapGet("/studies", async (HttpContext http, AccessScopeProvider scopes, DicomWebService dicomWeb, CancellationToken ct) =>
        {
            var series = await dicomWeb.SeriesAsync(await scopes.GetAsync(http.User, ct), http.Request.Query["StudyInstanceUID"].FirstOrDefault(), ct);
            var patient = http.Request.Query["PatientID"].FirstOrDefault();
            var studies = series.Where(s => patient is null || s.Patient == patient).GroupBy(s => s.StudyInstanceUid).Select(g => Dataset(
                ("0020000D", "UI", g.Key),
                ("00100020", "LO", g.First().Patient),
                ("00080061", "CS", g.Select(s => s.Modality).Distinct().Order().ToArray()),
                ("00201206", "IS", g.Count()),
                ("00201208", "IS", g.Sum(s => s.Instances))));
            return Results.Json(studies.ToList(), contentType: DicomJson);
        });

        web.MapGet("/studies/{study}/series", async (string study, HttpContext http, AccessScopeProvider scopes, DicomWebService dicomWeb,
            CancellationToken ct) =>
        {
            var series = await dicomWeb.SeriesAsync(await scopes.GetAsync(http.User, ct), study, ct);
            return series.Count == 0
                ? Results.NotFound()
                : Results.Json(series.Select(s => Dataset(
                    ("0020000D", "UI", s.StudyInstanceUid),
                    ("0020000E", "UI", s.SeriesInstanceUid),
                    ("00080060", "CS", s.Modality),
                    ("00100020", "LO", s.Patient),
                    ("00201209", "IS", s.Instances))).ToList(), contentType: DicomJson);
        });

        // WADO-RS: the stored file, as the single part of multipart/related; type="application/dicom".
        web.MapGet("/studies/{study}/series/{series}/instances/{instance}", async (string study, string series, string instance, HttpContext http,
            AccessScopeProvider scopes, DicomWebService dicomWeb, CancellationToken ct) =>
        {
            var found = await dicomWeb.InstanceAsync(await scopes.GetAsync(http.User, ct), study, series, instance, ct);
            if (found is null || !File.Exists(found.Path))
            {
                return Results.NotFound();
            }

            var boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            http.Response.ContentType = $"multipart/related; type=\"application/dicom\"; boundary={boundary}";
            using var content = new MultipartContent("related", boundary);
            var part = new StreamContent(File.OpenRead(found.Path));
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/dicom");
            content.Add(part);
            await content.CopyToAsync(http.Response.Body, ct);
            return Results.Empty;
        });

        // WADO-RS series metadata: every instance's attributes as DICOM JSON, in slice order, in one response (the viewer's one request per series).
        web.MapGet("/studies/{study}/series/{series}/metadata", async (string study, string series, HttpContext http, AccessScopeProvider scopes,
            DicomWebService dicomWeb, Derby.Imaging.Dicom.IDicomFileReader reader, CancellationToken ct) =>
        {
            var instances = await dicomWeb.SeriesInstancesAsync(await scopes.GetAsync(http.User, ct), study, series, ct);
            if (instances.Count == 0 || !instances.All(i => File.Exists(i.Path)))
            {
                return Results.NotFound();
            }

            return Results.Json(instances.Select(i => DicomJsonWriter.Write(reader.Read(i.Path).Dataset)).ToList(), contentType: DicomJson);
        });

        // WADO-RS metadata: the instance's attributes as DICOM JSON, without bulk data.
        web.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", async (string study, string series, string instance,
            HttpContext http, AccessScopeProvider scopes, DicomWebService dicomWeb, Derby.Imaging.Dicom.IDicomFileReader reader, CancellationToken ct) =>
        {
            var found = await dicomWeb.InstanceAsync(await scopes.GetAsync(http.User, ct), study, series, instance, ct);
            return found is null || !File.Exists(found.Path)
                ? Results.NotFound()
                : Results.Json(new[] { DicomJsonWriter.Write(reader.Read(found.Path).Dataset) }, contentType: DicomJson);
        });

        // WADO-RS frames: each asked frame's stored values, uncompressed little endian, as one application/octet-stream part.
        web.MapGet("/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", async (string study, string series, string instance,
            string frames, HttpContext http, AccessScopeProvider scopes, DicomWebService dicomWeb, Derby.Imaging.Dicom.IDicomFileReader reader,
            CancellationToken ct) =>
        {
            var numbers = frames.Split(',').Select(f => int.TryParse(f, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : 0).ToList();
            if (numbers.Count is 0 or > 1000 || numbers.Contains(0))
            {
                throw new ValidationFailedException([new FieldError("frames", "Frame numbers are 1-based, separated by commas")]);
            }

            var found = await dicomWeb.InstanceAsync(await scopes.GetAsync(http.User, ct), study, series, instance, ct);
            if (found is null || !File.Exists(found.Path))
            {
                return Results.NotFound();
            }

            var decoded = new List<byte[]>();
            foreach (var number in numbers)
            {
                try
                {
                    decoded.Add(FrameBytes(reader.ReadFrame(found.Path, number - 1)));
                }
                catch (Derby.Imaging.Dicom.DicomReadException ex)
                {
                    return Results.Problem($"Frame {number}: {ex.Reason}", statusCode: StatusCodes.Status404NotFound);
                }
            }

            var boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            http.Response.ContentType = $"multipart/related; type=\"application/octet-stream\"; boundary={boundary}";
            using var content = new MultipartContent("related", boundary);
            foreach (var bytes in decoded)
            {
                var part = new ByteArrayContent(bytes);
                part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
                content.Add(part);
            }

            await content.CopyToAsync(http.Response.Body, ct);
            return Results.Empty;
        });

        return app;
    }

    /// <summary>A frame's stored values in BitsAllocated-wide little-endian words (1, 2 or 4 bytes).</summary>
    private static byte[] FrameBytes(Derby.Imaging.Dicom.DicomFrame frame)
    {
        var width = frame.BitsAllocated switch { <= 8 => 1, <= 16 => 2, _ => 4 };
        var bytes = new byte[frame.Values.Length * width];
        for (var i = 0; i < frame.Values.Length; i++)
        {
            var v = frame.Values[i];
            for (var b = 0; b < width; b++)
            {
                bytes[i * width + b] = (byte)(v >> (8 * b));
            }
        }

        return bytes;
    }

    /// <summary>Writes each part to its own file in a new private folder under <paramref name="stagingRoot"/>, within the upload limits.</summary>
    private static async Task<string> ReceiveAsync(Stream body, string boundary, string stagingRoot, UploadLimits limits, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetFullPath(stagingRoot), UploadStaging.StowFolderPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        Directory.CreateDirectory(folder);
        try
        {
            var reader = new MultipartReader(boundary, body) { BodyLengthLimit = limits.MaxFileBytes };
            var count = 0;
            long total = 0;
            var buffer = new byte[81920];
            while (await BodyAsync(() => reader.ReadNextSectionAsync(ct)) is { } section)
            {
                if (section.ContentType is { } partType && !partType.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ValidationFailedException([new FieldError("parts", $"Part {count + 1} is {partType}: only application/dicom is accepted")]);
                }

                if (++count > limits.MaxFiles)
                {
                    throw new ValidationFailedException([new FieldError("parts", $"More than {limits.MaxFiles} parts")]);
                }

                await using var file = new FileStream(Path.Combine(folder, $"part-{count:D5}.dcm"), FileMode.CreateNew, FileAccess.Write);
                int read;
                while ((read = await BodyAsync(() => section.Body.ReadAsync(buffer, ct).AsTask())) > 0)
                {
                    total += read;
                    if (total > limits.MaxTotalBytes)
                    {
                        throw new ValidationFailedException([new FieldError("parts", $"The request is larger than {limits.MaxTotalBytes} bytes")]);
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            return folder;
        }
        catch (InvalidDataException ex)
        {
            Directory.Delete(folder, recursive: true);
            throw new ValidationFailedException([new FieldError("parts", "Malformed multipart body or part too large: " + ex.Message)]);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A read of the request body: a body that ends before its closing boundary makes the multipart reader throw a bare
    /// IOException, which is the sender's malformed body (400), not a server failure (500); bad-input corpus, issue #10.
    /// </summary>
    private static async Task<T> BodyAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new InvalidDataException("the body ends before its closing boundary (" + ex.Message.Trim() + ")", ex);
        }
    }

    private static Dictionary<string, object> Dataset(params (string Tag, string Vr, object Value)[] attributes) =>
        attributes.ToDictionary(a => a.Tag, a => (object)new Dictionary<string, object>
        {
            ["vr"] = a.Vr,
            ["Value"] = a.Value is Array array ? array : new[] { a.Value },
        });
}

/// <summary>Cookie callers must send the anti-forgery header; site-token callers carry no cookie and need none.</summary>
internal sealed class CookieAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.User.Identity?.AuthenticationType != SiteTokenAuthenticationHandler.SchemeName
            && !await antiforgery.IsRequestValidAsync(context.HttpContext))
        {
            return Results.Problem("Missing or invalid anti-forgery token (X-XSRF-TOKEN header)", statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context);
    }
}
