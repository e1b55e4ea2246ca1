using System.CommandLine;
using System.Diagnostics;
using Derby.Imaging.Gdcm;
using Derby.Synthetic;
using Derby.Synthetic.Output;

namespace Derby.Cli.Commands;

/// <summary><c>derby synth --out DIR --seed N --scale small|paper</c>: writes a synthetic multi-centre PET/CT study with its ground truth.</summary>
internal static class SynthCommand
{
    public static Command Build()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write (must be new or empty)", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Random seed: the same seed gives byte-identical files", DefaultValueFactory = _ => 1 };
        var scale = new Option<string>("--scale") { Description = "small (seconds) or paper (the paper's cohort sizes and matrices)", DefaultValueFactory = _ => "small" };
        scale.AcceptOnlyFromAmong("small", "paper");
        var fault = new Option<string[]>("--fault")
        {
            Description = "Inject a defect into one patient (repeat for several): phi, missing-slice, inconsistent-spacing, missing-dose",
            AllowMultipleArgumentsPerToken = true,
        };
        fault.AcceptOnlyFromAmong("phi", "missing-slice", "inconsistent-spacing", "missing-dose");
        var noImages = new Option<bool>("--no-images") { Description = "Write only the CSV tables and the ground truth" };

        var command = new Command("synth", "Generate a synthetic multi-centre PET/CT study (digital phantom) with known ground truth");
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(scale);
        command.Options.Add(fault);
        command.Options.Add(noImages);
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync((_, token) =>
        {
            var options = new SyntheticStudyOptions(parse.GetValue(output)!.FullName, parse.GetValue(seed), StudyScale.Parse(parse.GetValue(scale)!))
            {
                Faults = (parse.GetValue(fault) ?? []).Select(ParseFault).ToList(),
                Images = !parse.GetValue(noImages),
            };
            var watch = Stopwatch.StartNew();
            var last = -1;
            var progress = new Progress<(int Done, int Total)>(p =>
            {
                var percent = p.Done * 100 / p.Total;
                if (percent / 10 != last / 10)
                {
                    last = percent;
                    Console.Error.WriteLine($"synth: {p.Done}/{p.Total} patients imaged");
                }
            });
            var result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(options, progress, token);
            Json.Write(new
            {
                Output = options.OutputDirectory,
                Seed = options.Seed,
                Scale = options.Scale.Name,
                result.Patients,
                result.DicomFiles,
                Megabytes = Math.Round(result.Bytes / 1048576.0, 1),
                Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
                Cohorts = result.Truth.Cohorts.Select(c => new { c.Code, c.N, c.Responders, IdealAuc = Math.Round(c.IdealAuc, 3) }),
            });
            return Task.FromResult(0);
        }, ct));
        return command;
    }

    private static FaultKind ParseFault(string text) => text switch
    {
        "phi" => FaultKind.Phi,
        "missing-slice" => FaultKind.MissingSlice,
        "inconsistent-spacing" => FaultKind.InconsistentSpacing,
        "missing-dose" => FaultKind.MissingDose,
        _ => throw new ArgumentException($"Unknown fault '{text}'"),
    };
}
