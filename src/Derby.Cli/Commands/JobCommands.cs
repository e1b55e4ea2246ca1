using System.CommandLine;
using Derby.Infrastructure.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// The shared job storage, for operators of a scaled-out installation: queue diagnostic probes that the job servers
/// (web role, workers) run, and read queue lengths, counts and servers. The command line runs no job server itself.
/// </summary>
internal static class JobCommands
{
    public static Command Build()
    {
        var jobs = new Command("jobs", "Job storage diagnostics: probes, queue lengths, servers");

        var count = new Option<int>("--count") { Description = "How many probes", DefaultValueFactory = _ => 1 };
        var queue = new Option<string>("--queue") { Description = "Queue: default or gpu", DefaultValueFactory = _ => "default" };
        var duration = new Option<int>("--duration-ms") { Description = "How long each probe holds its worker", DefaultValueFactory = _ => 200 };
        var probe = new Command("probe",
            "Queue probe jobs; each records its execution in <data>/probes/<probe id> with an exclusive create (a second run of the same probe leaves <probe id>.again.*). Prints JSON lines {probeId, jobId}");
        probe.Options.Add(count);
        probe.Options.Add(queue);
        probe.Options.Add(duration);
        probe.SetAction((parse, ct) => DerbyCommandLine.RunAsync((services, _) =>
        {
            foreach (var (probeId, jobId) in services.GetRequiredService<JobDiagnostics>()
                .EnqueueProbes(parse.GetValue(count), parse.GetValue(queue)!, parse.GetValue(duration)))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { probeId, jobId }));
            }

            return Task.FromResult(0);
        }, ct));

        var stats = new Command("stats", "Print the job counts by state, queue lengths and servers (JSON)");
        stats.SetAction((parse, ct) => DerbyCommandLine.RunAsync((services, _) =>
        {
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(services.GetRequiredService<JobDiagnostics>().Statistics(),
                new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }));
            return Task.FromResult(0);
        }, ct));

        jobs.Subcommands.Add(probe);
        jobs.Subcommands.Add(stats);
        return jobs;
    }
}
