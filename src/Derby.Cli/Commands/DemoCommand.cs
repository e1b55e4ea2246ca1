using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Study;
using Derby.Application.Users;
using Derby.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>Loads the demo study (the paper's sites and cohorts) and creates the demo accounts, printing new passwords once.</summary>
internal static class DemoCommand
{
    /// <summary>The demo accounts: one per role, and one coordinator per site.</summary>
    public static IReadOnlyList<(string User, string Role, string[] Sites)> Accounts { get; } =
    [
        ("admin", DerbyRoles.Admin, []),
        ("pi", DerbyRoles.PrincipalInvestigator, []),
        ("reviewer", DerbyRoles.Reviewer, []),
        ("zsh-coordinator", DerbyRoles.SiteCoordinator, ["ZSH"]),
        ("zshx-coordinator", DerbyRoles.SiteCoordinator, ["ZSHX"]),
        ("hwmu-coordinator", DerbyRoles.SiteCoordinator, ["HWMU"]),
    ];

    public static Command Build()
    {
        var resetPasswords = new Option<bool>("--reset-passwords") { Description = "Give existing demo accounts new passwords and print them" };
        var demo = new Command("demo", "Load the demo study (sites ZSH, ZSHX, HWMU and the paper's five cohorts) and create the demo accounts");
        demo.Options.Add(resetPasswords);
        demo.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(token);
            var added = await services.GetRequiredService<DemoStudy>().EnsureAsync(token);
            Console.WriteLine(added ? "Demo study loaded." : "Demo study already loaded.");

            var users = services.GetRequiredService<IUserAdministration>();
            var reset = parse.GetValue(resetPasswords);
            var rows = new List<(string User, string Role, string Password)>();
            foreach (var (user, role, sites) in Accounts)
            {
                if (!await users.ExistsAsync(user, token))
                {
                    rows.Add((user, role, await users.CreateAsync(AccessScope.System, user, role, sites, token)));
                }
                else if (reset)
                {
                    rows.Add((user, role, await users.ResetPasswordAsync(AccessScope.System, user, token)));
                }
                else
                {
                    rows.Add((user, role, "(unchanged: printed when created; ./derby demo --reset-passwords sets new ones)"));
                }
            }

            Console.WriteLine();
            Console.WriteLine("Demo logins (passwords are shown once and stored only as hashes):");
            foreach (var (user, role, password) in rows)
            {
                Console.WriteLine($"  {user,-18} {role,-22} {password}");
            }

            return 0;
        }, ct));
        return demo;
    }
}
