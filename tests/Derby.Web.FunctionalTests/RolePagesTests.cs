namespace Derby.Web.FunctionalTests;

/// <summary>Each role signs in and loads the pages it uses; admin pages and the job dashboard are for admins alone.</summary>
[Collection(WebCollection.Name)]
public sealed class RolePagesTests(DerbyWebFactory app)
{
    public static TheoryData<string> Users => new(DerbyWebFactory.Accounts.Select(a => a.User));

    [Theory]
    [MemberData(nameof(Users))]
    public async Task EveryRole_SeesTheStudyOverview(string user)
    {
        var client = await app.SignInAsync(user);

        var page = await client.GetStringAsync("/");

        Assert.Equal(user, Html.TestIdText(page, "signed-in-user"));
        Assert.Contains("3 sites · 5 cohorts", Html.TestIdText(page, "study-summary"));
        Assert.Equal(3, Html.CountTestId(page, "site-card"));
        Assert.Equal("1", Html.TestIdText(page, "cohort-count-training"));
        Assert.Equal("1", Html.TestIdText(page, "cohort-count-external-validation"));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("pi")]
    [InlineData("reviewer")]
    [InlineData("zsh-coordinator")]
    public async Task ReadersOfZsh_LoadItsPatientListAndPatientPage(string user)
    {
        var client = await app.SignInAsync(user);

        var list = await client.GetStringAsync("/sites/ZSH");
        var patient = await client.GetStringAsync($"/patients/{app.ZshPatientId}");

        Assert.Contains("ZSH-A0001", list);
        Assert.Equal("ZSH-A0001", Html.TestIdText(patient, "patient-pseudonym"));
        // Only the site's coordinator gets a save button.
        Assert.Equal(user == "zsh-coordinator" ? 3 : 0, Html.CountTestId(patient, "form-save"));
    }

    [Theory]
    [InlineData("/admin/sites")]
    [InlineData("/admin/cohorts")]
    [InlineData("/admin/users")]
    [InlineData("/jobs")]
    public async Task AdminPages_OpenForAdmins_AndAreForbiddenToEveryoneElse(string path)
    {
        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = await app.SignInAsync(user);
            var response = await client.GetAsync(path);
            if (user == "admin")
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            else
            {
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
                    response = await client.GetAsync(response.Headers.Location);
                }

                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task LearningPage_OpensForAdminsAndPis_WithItsNavLink_AndIsForbiddenToEveryoneElse()
    {
        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = await app.SignInAsync(user);
            var home = await client.GetStringAsync("/");
            var response = await client.GetAsync("/learning");
            if (user is "admin" or "pi")
            {
                Assert.Contains("href=\"/learning\"", home);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var page = await response.Content.ReadAsStringAsync();
                Assert.Equal(1, Html.CountTestId(page, "training-form"));
                Assert.Equal(1, Html.CountTestId(page, "start-training"));
                Assert.Equal(1, Html.CountTestId(page, "network-models"));
            }
            else
            {
                Assert.DoesNotContain("href=\"/learning\"", home);
                if (response.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
                    response = await client.GetAsync(response.Headers.Location);
                }

                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task NetworkApi_AnswersAdminsAndPis_AndIsForbiddenToEveryoneElse_GradCamIsNotFoundForAnUnknownNetwork()
    {
        foreach (var (user, _, _) in DerbyWebFactory.Accounts)
        {
            var client = await app.SignInAsync(user);
            var list = await client.GetAsync("/api/networks");
            var gradCam = await client.GetAsync("/api/networks/net-20000101-000000/pairs/1/gradcam");
            var allowed = user is "admin" or "pi";
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden, list.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, gradCam.StatusCode);
        }
    }

    [Fact]
    public async Task CoordinatorImportPage_ShowsTheFormatOfEveryTable()
    {
        var client = await app.SignInAsync("zsh-coordinator");

        var page = await client.GetStringAsync("/sites/ZSH/import");

        Assert.Contains("Import CSV into ZSH", page);
        Assert.Contains("treatment_arm", page);
        Assert.StartsWith("pseudonym,suv_max,clinical_risk_score,", await client.GetStringAsync("/api/imports/templates/clinical"));
    }
}
