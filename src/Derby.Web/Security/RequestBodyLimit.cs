using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Derby.Web.Security;

/// <summary>
/// Request body limits with a clear answer (ADR 23). Kestrel's limit is the ordinary one
/// (<see cref="SecurityOptions.MaxRequestBodyBytes"/>); upload endpoints raise theirs with a RequestSizeLimit attribute,
/// which routing applies to the request. This middleware refuses a body whose declared length passes the endpoint's limit
/// before anything reads it, and turns the server's "too large" of a body that passes it while being read (chunked, or a
/// lying length) into the same 413 with its reason, so nothing of it is stored.
/// </summary>
public static class RequestBodyLimit
{
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app, long defaultLimit) => app.Use(async (context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata
            ? metadata.MaxRequestBodySize
            : defaultLimit;
        if (limit is { } max && context.Request.ContentLength is { } length && length > max)
        {
            await RefuseAsync(context, $"The request body is {length:N0} bytes, more than the {max:N0} bytes this address accepts; nothing was stored.");
            return;
        }

        try
        {
            await next();
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await RefuseAsync(context, $"The request body is larger than the {limit:N0} bytes this address accepts; nothing was stored.");
        }
    });

    private static async Task RefuseAsync(HttpContext context, string detail)
    {
        // The client may still be sending: over HTTP/1.x ask it to close rather than drain a body nobody reads (HTTP/2 and
        // 3 reset the stream instead and forbid the header).
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
        await Results.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large").ExecuteAsync(context);
    }

    /// <summary>Kestrel's own limit for requests whose endpoint sets none.</summary>
    public static void ConfigureKestrel(KestrelServerOptions options, long defaultLimit) => options.Limits.MaxRequestBodySize = defaultLimit;
}
