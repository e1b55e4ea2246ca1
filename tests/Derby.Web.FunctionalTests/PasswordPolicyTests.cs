using Derby.Application.Access;
using Derby.Application.Users;
using Derby.Infrastructure.Identity;
using Microsoft.AspNetCore.Identity;

namespace Derby.Web.FunctionalTests;

/// <summary>The change-password page and the password policy that every way of setting a password goes through (ADR 23).</summary>
[Collection(WebCollection.Name)]
public sealed class PasswordPolicyTests(DerbyWebFactory app)
{
    /// <summary>A fresh account (so that changing its password disturbs no other test) and a client signed in as it.</summary>
    private async Task<(string User, string Password, HttpClient Client)> AccountAsync()
    {
        var user = "policy-" + Guid.NewGuid().ToString("N")[..10];
        await using var scope = app.Services.CreateAsyncScope();
        var password = await scope.ServiceProvider.GetRequiredService<IUserAdministration>().CreateAsync(AccessScope.System, user, DerbyRoles.Reviewer, []);
        var client = app.Anonymous();
        var signIn = await DerbyWebFactory.SignInAsync(client, user, password);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        return (user, password, client);
    }

    private static async Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string next, string? confirm = null, bool withToken = true)
    {
        var page = await client.GetStringAsync("/account/password");
        var form = new Dictionary<string, string>
        {
            ["_handler"] = Html.InputValue(page, "_handler"),
            ["Input.CurrentPassword"] = current,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = confirm ?? next,
        };
        if (withToken)
        {
            form["__RequestVerificationToken"] = Html.InputValue(page, "__RequestVerificationToken");
        }

        return await client.PostAsync("/account/password", new FormUrlEncodedContent(form));
    }

    [Fact]
    public async Task ChangePasswordPage_IsAPlainFormWithTheAntiforgeryToken_AndNeedsSignIn()
    {
        var (_, _, client) = await AccountAsync();

        var page = await client.GetStringAsync("/account/password");
        var anonymous = await app.Anonymous().GetAsync("/account/password");

        Assert.False(string.IsNullOrEmpty(Html.InputValue(page, "__RequestVerificationToken")));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task ChangingThePassword_Works_AndOnlyTheNewOneSignsIn()
    {
        var (user, password, client) = await AccountAsync();
        const string next = "Tulip-Harbour-Lantern-42";

        var response = await ChangeAsync(client, password, next);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Your password is changed", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode); // the session was renewed, not ended
        Assert.Contains("error=invalid", (await DerbyWebFactory.SignInAsync(app.Anonymous(), user, password)).Headers.Location!.OriginalString);
        Assert.Equal("/", (await DerbyWebFactory.SignInAsync(app.Anonymous(), user, next)).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("Short1pass", null, "at least 12 characters")]
    [InlineData("Password1234", null, "most common")]
    [InlineData("Welcome12345", null, "most common")]
    [InlineData("alllowercase-no-digits", null, "uppercase")]
    [InlineData("Aaaa1111aaaa", null, "different characters")]
    [InlineData("Tulip-Harbour-Lantern-42", "Tulip-Harbour-Lantern-43", "differ")]
    public async Task AWeakOrMistypedNewPassword_IsRefused_WithTheReason(string next, string? confirm, string reason)
    {
        var (user, password, client) = await AccountAsync();

        var response = await ChangeAsync(client, password, next, confirm);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var errors = Html.TestIdText(await response.Content.ReadAsStringAsync(), "password-errors");
        Assert.NotNull(errors);
        Assert.Contains(reason, errors, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("/", (await DerbyWebFactory.SignInAsync(app.Anonymous(), user, password)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ThePasswordMayNotBeOrContainTheUserName()
    {
        var (user, password, client) = await AccountAsync();

        var equal = await ChangeAsync(client, password, user.ToUpperInvariant() + "Aa1");
        var errors = Html.TestIdText(await equal.Content.ReadAsStringAsync(), "password-errors");

        Assert.Contains("user name", errors);
    }

    [Fact]
    public async Task AWrongCurrentPassword_IsRefused_AndCountsTowardsLockout()
    {
        var (user, password, client) = await AccountAsync();

        var response = await ChangeAsync(client, "Not-The-Password-1", "Tulip-Harbour-Lantern-42");

        Assert.Contains("current password is wrong", Html.TestIdText(await response.Content.ReadAsStringAsync(), "password-errors"));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DerbyUser>>();
        Assert.Equal(1, await users.GetAccessFailedCountAsync((await users.FindByNameAsync(user))!));
        Assert.Equal("/", (await DerbyWebFactory.SignInAsync(app.Anonymous(), user, password)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ChangingThePassword_WithoutTheAntiforgeryToken_IsRefused()
    {
        var (user, password, client) = await AccountAsync();

        var response = await ChangeAsync(client, password, "Tulip-Harbour-Lantern-42", withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/", (await DerbyWebFactory.SignInAsync(app.Anonymous(), user, password)).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("Password1234")]
    [InlineData("short")]
    public async Task EveryOtherWayOfSettingAPassword_AppliesThePolicyToo(string weak)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<DerbyUser>>();
        var user = new DerbyUser { UserName = "policy-direct-" + Guid.NewGuid().ToString("N")[..8] };

        var created = await users.CreateAsync(user, weak);

        Assert.False(created.Succeeded);
        Assert.True(DerbyPasswordValidator.IsCommon("password1234"));
        // Accounts the administration creates or resets get generated passwords that pass the same validators.
        var generated = await scope.ServiceProvider.GetRequiredService<IUserAdministration>().CreateAsync(AccessScope.System, "policy-gen-" + Guid.NewGuid().ToString("N")[..8], DerbyRoles.Reviewer, []);
        Assert.True(generated.Length >= 12);
    }
}
