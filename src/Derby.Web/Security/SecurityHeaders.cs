using System.Security.Cryptography;

namespace Derby.Web.Security;

/// <summary>
/// The headers every response carries (ADR 23): a Content-Security-Policy (the pages' one, or a strict one for the API and
/// DICOMweb, which serve data, never documents), and the headers that keep the app out of frames, other origins' windows
/// and device features.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceItem = "Derby.CspNonce";

    /// <summary>
    /// The API and DICOMweb answer JSON, CSV, DICOM and images; nothing they serve may run script or be framed.
    /// </summary>
    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>Device features the app never uses are off for it and for anything it could embed.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    /// <summary>
    /// The pages' policy. Scripts only from the app itself, plus the one inline script Blazor writes (the import map)
    /// through the request's nonce; 'wasm-unsafe-eval' lets the viewer's codecs compile WebAssembly (no 'unsafe-eval');
    /// the viewer's decoders run in workers from the app or from blob: URLs; 'self' in connect-src covers Blazor's
    /// same-origin WebSocket (CSP 3: 'self' matches ws: and wss: of the page's host). Styles allow inline, as MudBlazor
    /// (style attributes, its theme's style element) and plotly.js (injected style elements) need.
    /// </summary>
    public static string PagePolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; " +
        "worker-src 'self' blob:; " +
        "connect-src 'self'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        "style-src 'self' 'unsafe-inline'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>This request's CSP nonce, for the inline scripts the page renders (App.razor's import map).</summary>
    public static string CspNonce(this HttpContext context) => context.Items[NonceItem] as string ?? "";

    /// <summary>
    /// Adds the headers to every response as it starts, so that error pages re-executed after the response was cleared
    /// (exception handler, status code pages) carry them too.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        string? nonce = null;
        if (!IsDataPath(context.Request.Path))
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceItem] = nonce;
        }

        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers.ContentSecurityPolicy = nonce is null ? DataPolicy : PagePolicy(nonce);
            return Task.CompletedTask;
        });
        return next();
    });

    private static bool IsDataPath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/dicomweb");
}
