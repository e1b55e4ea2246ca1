using Derby.Infrastructure.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Derby.Web.Endpoints;

/// <summary>
/// Sign-in and sign-out as plain form posts (anti-forgery checked), so they work without a live circuit. Each sign-in,
/// failed sign-in (with the name tried and whether the account is now locked out) and sign-out is an audit event.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account");

        account.MapPost("/login", async ([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
            HttpContext http, IAntiforgery antiforgery, SignInManager<DerbyUser> signIn, ILoggerFactory loggers, Derby.Application.Audit.AuditService audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest("The sign-in form has expired or did not come from this site (anti-forgery check): reload the page and try again.");
            }

            var target = IsLocal(returnUrl) ? returnUrl! : "/";
            if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
            {
                return Results.Redirect(LoginUrl("missing", target));
            }

            // No account has a longer name or password: refused before Identity hashes anything.
            if (userName.Length > MaxUserNameLength || password.Length > Components.Pages.Account.ChangePassword.MaxPasswordLength)
            {
                return Results.Redirect(LoginUrl("invalid", target));
            }

            var result = await signIn.PasswordSignInAsync(userName.Trim(), password, isPersistent: false, lockoutOnFailure: true);
            var log = loggers.CreateLogger("Derby.Account");
            if (result.Succeeded)
            {
                log.LogInformation("User {UserName} signed in", userName);
                await audit.RecordAsync(userName.Trim(), "account.signed-in", null);
                return Results.LocalRedirect(target);
            }

            // The name tried is the caller's text: kept short and printable in the log and the trail.
            var tried = Derby.Application.Audit.AuditService.Printable(userName.Trim());
            log.LogWarning("Failed sign-in for {UserName} (locked out: {LockedOut})", tried, result.IsLockedOut);
            await audit.RecordAsync("anonymous", "account.sign-in-failed", new { userName = tried, lockedOut = result.IsLockedOut });
            return Results.Redirect(LoginUrl(result.IsLockedOut ? "locked" : "invalid", target));
        }).AllowAnonymous();

        account.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<DerbyUser> signIn, Derby.Application.Audit.AuditService audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest("Sign-out must come from this site's own form (anti-forgery check).");
            }

            if (http.User.Identity is { IsAuthenticated: true, Name: { } name })
            {
                await audit.RecordAsync(name, "account.signed-out", null);
            }

            await signIn.SignOutAsync();
            return Results.Redirect("/account/login");
        });

        return app;
    }

    /// <summary>Longest user name (Identity's column is 256 characters).</summary>
    private const int MaxUserNameLength = 256;

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static string LoginUrl(string error, string returnUrl) =>
        $"/account/login?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}";
}
