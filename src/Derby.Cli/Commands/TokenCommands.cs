using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>Site API tokens for DICOMweb clients: issued (secret printed once) and revoked from the command line.</summary>
internal static class TokenCommands
{
    public static Command Build()
    {
        var tokens = new Command("tokens", "Site API tokens for DICOMweb (STOW-RS) clients");

        var site = new Option<string>("--site") { Description = "Site code", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for, e.g. the PACS's name", Required = true };
        var issue = new Command("issue", "Issue a token for a site and print its secret once");
        issue.Options.Add(site);
        issue.Options.Add(name);
        issue.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var issued = await services.GetRequiredService<SiteTokenService>()
                .IssueAsync(AccessScope.System, parse.GetValue(site)!, parse.GetValue(name)!, token);
            Console.WriteLine($"Issued token {issued.Id} ({issued.Name}) for site {issued.SiteCode}. Secret (shown once): {issued.Secret}");
            return 0;
        }, ct));

        var id = new Option<Guid>("--id") { Description = "Token id, as printed when it was issued", Required = true };
        var revoke = new Command("revoke", "Revoke a token; it is refused from the next request on");
        revoke.Options.Add(id);
        revoke.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            await services.GetRequiredService<SiteTokenService>().RevokeAsync(AccessScope.System, parse.GetValue(id), token);
            Console.WriteLine($"Revoked token {parse.GetValue(id)}");
            return 0;
        }, ct));

        tokens.Subcommands.Add(issue);
        tokens.Subcommands.Add(revoke);
        return tokens;
    }
}
