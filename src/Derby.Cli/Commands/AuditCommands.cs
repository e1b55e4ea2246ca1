using System.CommandLine;
using Derby.Application.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary><c>derby audit verify</c>: checks the audit trail's hash chain and points at the first broken link.</summary>
internal static class AuditCommands
{
    /// <summary>Exit code of a broken chain.</summary>
    public const int Broken = 4;

    public static Command Build()
    {
        var audit = new Command("audit", "The audit trail");
        var verify = new Command("verify",
            "Check the audit trail's hash chain: prints the verdict as JSON (events, intact, the first broken link and what is wrong, the head hash to record elsewhere); exit code 4 when broken");
        verify.SetAction((_, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var verdict = await services.GetRequiredService<IAuditChainVerifier>().VerifyAsync(token);
            Json.Write(verdict);
            if (!verdict.Intact)
            {
                await Console.Error.WriteLineAsync($"error: the audit trail is broken at sequence {verdict.BrokenAtSequence}: {verdict.Problem}");
            }

            return verdict.Intact ? 0 : Broken;
        }, ct));
        audit.Subcommands.Add(verify);
        return audit;
    }
}
