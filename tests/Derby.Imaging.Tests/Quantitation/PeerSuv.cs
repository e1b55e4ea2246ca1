using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Tests.Quantitation;

/// <summary>
/// Runs @cornerstonejs/calculate-suv (the QIBA pseudo-code as OHIF uses it) through peer/suv.mjs. The series goes in as
/// the library's InstanceMetadata JSON, read from the same datasets Derby's calculator gets.
/// </summary>
internal static class PeerSuv
{
    private static readonly Lazy<string> Directory = new(InstallIfMissing, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The peer's SUVbw factor per slice, or its error message.</summary>
    public static (double[]? Factors, string? Error) Compute(IReadOnlyList<DicomDataset> slices)
    {
        var input = new JsonArray(slices.Select(ToInstanceMetadata).ToArray<JsonNode?>()).ToJsonString();
        var output = Run("node", "suv.mjs", Directory.Value, input, TimeSpan.FromSeconds(30));
        var json = JsonNode.Parse(output) ?? throw new InvalidOperationException($"peer printed nothing usable: {output}");
        return json["error"] is { } error
            ? (null, error.GetValue<string>())
            : (json["suvbw"]!.AsArray().Select(f => f!.GetValue<double>()).ToArray(), null);
    }

    /// <summary>InstanceMetadata as the library's types.ts names it: numbers for DS values, DA/TM/DT as written.</summary>
    public static JsonObject ToInstanceMetadata(DicomDataset slice)
    {
        var o = new JsonObject
        {
            ["CorrectedImage"] = slice.GetString(DicomTags.CorrectedImage) is { } c ? new JsonArray(c.Split('\\').Select(v => (JsonNode?)v).ToArray()) : null,
            ["Units"] = slice.GetString(DicomTags.Units),
            ["DecayCorrection"] = slice.GetString(DicomTags.DecayCorrection),
            ["PatientWeight"] = slice.GetNumber(DicomTags.PatientWeight),
            ["SeriesDate"] = slice.GetString(DicomTags.SeriesDate),
            ["SeriesTime"] = slice.GetString(DicomTags.SeriesTime),
            ["AcquisitionDate"] = slice.GetString(DicomTags.AcquisitionDate),
            ["AcquisitionTime"] = slice.GetString(DicomTags.AcquisitionTime),
        };
        if (slice.GetItems(DicomTags.RadiopharmaceuticalInformationSequence) is [var r, ..])
        {
            o["RadionuclideTotalDose"] = r.GetNumber(DicomTags.RadionuclideTotalDose);
            o["RadionuclideHalfLife"] = r.GetNumber(DicomTags.RadionuclideHalfLife);
            o["RadiopharmaceuticalStartDateTime"] = r.GetString(DicomTags.RadiopharmaceuticalStartDateTime);
            o["RadiopharmaceuticalStartTime"] = r.GetString(DicomTags.RadiopharmaceuticalStartTime);
        }

        if (slice.GetString(DicomTags.GePetdPrivateCreator) == "GEMS_PETD_01")
        {
            o["GEPrivatePostInjectionDateTime"] = slice.GetString(DicomTags.GePetdPostInjectionDateTime);
        }

        if (slice.GetString(DicomTags.PhilipsPetPrivateCreator) == "Philips PET Private Group")
        {
            o["PhilipsPETPrivateGroup"] = new JsonObject
            {
                ["SUVScaleFactor"] = slice.GetNumber(DicomTags.PhilipsSuvScaleFactor),
                ["ActivityConcentrationScaleFactor"] = slice.GetNumber(DicomTags.PhilipsActivityConcentrationScaleFactor),
            };
        }

        // The library tests "=== undefined" in places: leave absent values out rather than sending null.
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            o.Remove(key);
        }

        return o;
    }

    private static string InstallIfMissing()
    {
        var directory = typeof(PeerSuv).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SuvPeerDirectory").Value!;
        if (!System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "@cornerstonejs", "calculate-suv")))
        {
            // Exactly the committed lockfile; no audit or funding calls.
            Run("npm", "ci --no-audit --no-fund", directory, null, TimeSpan.FromMinutes(3));
        }

        return directory;
    }

    private static string Run(string fileName, string arguments, string directory, string? stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{fileName}' is not on PATH: the SUV peer tests need Node.js 18+ with npm (e.g. Debian's nodejs and npm packages)", e);
        }

        using var process = started ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} in {directory} did not finish in {timeout}");
        }

        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{fileName} {arguments} in {directory} exited {process.ExitCode}: {stderr.Result}");
    }
}
