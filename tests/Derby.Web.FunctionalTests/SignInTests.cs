namespace Derby.Web.FunctionalTests;

[Collection(WebCollection.Name)]
public sealed class SignInTests(DerbyWebFactory app)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/sites/ZSH")]
    [InlineData("/admin/users")]
    public async Task Pages_RedirectToSignIn_WhenSignedOut(string path)
    {
        var response = await app.Anonymous().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/api/study")]
    [InlineData("/api/sites/ZSH/patients")]
    [InlineData("/jobs")]
    public async Task ApiAndJobs_AnswerUnauthorized_WhenSignedOut(string path)
    {
        var response = await app.Anonymous().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SignInPage_IsServed_AndCarriesAnAntiforgeryToken()
    {
        var page = await app.Anonymous().GetStringAsync("/account/login");

        Assert.Contains("Sign in", page);
        Assert.False(string.IsNullOrEmpty(Html.InputValue(page, "__RequestVerificationToken")));
    }

    [Fact]
    public async Task SignIn_IsRefused_WithAWrongPassword()
    {
        var client = app.Anonymous();

        var response = await DerbyWebFactory.SignInAsync(client, "pi", "not-the-password");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("error=invalid", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_IsRefused_WithoutTheAntiforgeryToken()
    {
        var response = await app.Anonymous().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin",
            ["password"] = app.Passwords["admin"],
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Account_LocksOut_AfterFiveFailedSignIns()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Derby.Application.Users.IUserAdministration>();
        var password = await users.CreateAsync(Derby.Application.Access.AccessScope.System, "lockout-probe", Derby.Application.Access.DerbyRoles.Reviewer, []);
        var client = app.Anonymous();

        for (var i = 0; i < 5; i++)
        {
            await DerbyWebFactory.SignInAsync(client, "lockout-probe", "wrong-" + i);
        }

        var withRightPassword = await DerbyWebFactory.SignInAsync(client, "lockout-probe", password);

        Assert.Contains("error=locked", withRightPassword.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_IgnoresAnOffSiteReturnUrl()
    {
        var client = app.Anonymous();
        var page = await client.GetStringAsync("/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "reviewer",
            ["password"] = app.Passwords["reviewer"],
            ["returnUrl"] = "//evil.example/phish",
            ["__RequestVerificationToken"] = Html.InputValue(page, "__RequestVerificationToken"),
        }));

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}
