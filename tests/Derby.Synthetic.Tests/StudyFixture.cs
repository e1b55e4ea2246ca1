using System.Diagnostics;
using System.Text.Json;
using Derby.Imaging.Gdcm;
using Derby.Synthetic.Output;

namespace Derby.Synthetic.Tests;

/// <summary>A small synthetic study generated once for the tests of this class, read back by independent tools.</summary>
public sealed class StudyFixture : IDisposable
{
    public const ulong Seed = 7;

    public StudyFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "derby-synth-tests", Guid.NewGuid().ToString("N"));
        Result = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(Directory, Seed, StudyScale.Small));
        Truth = Result.Truth;
        pydicom = new Lazy<System.Text.Json.JsonElement>(() => ReadWithPydicom(Directory));
    }

    private readonly Lazy<System.Text.Json.JsonElement> pydicom;

    /// <summary>The pydicom reader's view of this study, read once.</summary>
    public System.Text.Json.JsonElement Pydicom => pydicom.Value;

    public string Directory { get; }

    public SyntheticStudyResult Result { get; }

    public GroundTruth Truth { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Runs a program to completion and returns its exit code and output.</summary>
    public static (int Exit, string StdOut, string StdErr) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The pydicom reader's view of a study (Scripts/check_study.py).</summary>
    public static JsonElement ReadWithPydicom(string directory)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Scripts", "check_study.py");
        var (exit, stdout, stderr) = Run("/usr/bin/python3", script, directory);
        Assert.True(exit == 0, "pydicom reader failed: " + stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }
}
