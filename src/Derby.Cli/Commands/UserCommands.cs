using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>Staff accounts from the command line: how the first administrator of a real installation is made.</summary>
internal static class UserCommands
{
    public static Command Build()
    {
        var users = new Command("users", "Staff accounts");

        var user = new Option<string>("--user") { Description = "User name", Required = true };
        var role = new Option<string>("--role") { Description = $"One of: {string.Join(", ", DerbyRoles.All)}", Required = true };
        var site = new Option<string[]>("--site") { Description = "Site code (site coordinators; repeat for several)", AllowMultipleArgumentsPerToken = true };

        var add = new Command("add", "Create an account and print its generated password once");
        add.Options.Add(user);
        add.Options.Add(role);
        add.Options.Add(site);
        add.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var password = await services.GetRequiredService<IUserAdministration>()
                .CreateAsync(AccessScope.System, parse.GetValue(user)!, parse.GetValue(role)!, parse.GetValue(site) ?? [], token);
            Console.WriteLine($"Created {parse.GetValue(user)} ({parse.GetValue(role)}). Password (shown once): {password}");
            return 0;
        }, ct));

        var resetUser = new Option<string>("--user") { Description = "User name", Required = true };
        var reset = new Command("reset-password", "Set a new generated password, end any lockout, and print the password once");
        reset.Options.Add(resetUser);
        reset.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var password = await services.GetRequiredService<IUserAdministration>().ResetPasswordAsync(AccessScope.System, parse.GetValue(resetUser)!, token);
            Console.WriteLine($"New password for {parse.GetValue(resetUser)} (shown once): {password}");
            return 0;
        }, ct));

        var list = new Command("list", "List accounts as JSON");
        list.SetAction((_, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            Json.Write(await services.GetRequiredService<IUserAdministration>().ListAsync(AccessScope.System, token));
            return 0;
        }, ct));

        users.Subcommands.Add(add);
        users.Subcommands.Add(reset);
        users.Subcommands.Add(list);
        return users;
    }
}
