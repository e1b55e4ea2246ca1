using System.Diagnostics;
using System.Text.Json;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Imaging.Tests.Reading;

/// <summary>
/// The real DICOM files that Debian's python3-pydicom ships for its own tests (written by many toolkits), read once by
/// the project's reader and once by pydicom (Scripts/pydicom_info.py).
/// </summary>
public sealed class PydicomCorpus
{
    public const string Folder = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    public PydicomCorpus()
    {
        Files = Directory.GetFiles(Folder).Order(StringComparer.Ordinal).ToList();
        var reader = new GdcmDicomFileReader();
        foreach (var file in Files)
        {
            try
            {
                var read = reader.Read(file);
                DicomFrame? frame = null;
                string? frameError = null;
                if (read.Dataset.Contains(DicomTags.Rows))
                {
                    try
                    {
                        frame = reader.ReadFrame(file);
                    }
                    catch (DicomReadException ex)
                    {
                        frameError = ex.Reason;
                    }
                }

                Ours[Path.GetFileName(file)] = (DicomInfo.From(read, frame), null, frameError);
            }
            catch (DicomReadException ex)
            {
                Ours[Path.GetFileName(file)] = (null, ex, null);
            }
        }

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Scripts", "pydicom_info.py"));
        foreach (var f in Files)
        {
            start.ArgumentList.Add(f);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Pydicom = JsonDocument.Parse(stdout).RootElement.EnumerateObject().ToDictionary(p => Path.GetFileName(p.Name), p => p.Value);
    }

    public IReadOnlyList<string> Files { get; }

    public Dictionary<string, (DicomInfo? Info, DicomReadException? Error, string? FrameError)> Ours { get; } = [];

    public IReadOnlyDictionary<string, JsonElement> Pydicom { get; }

    public static string PathOf(string name) => System.IO.Path.Combine(Folder, name);
}
