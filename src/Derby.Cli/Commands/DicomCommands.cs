using System.CommandLine;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary><c>derby dicom ...</c>: the project's DICOM layer from the command line, JSON on standard output.</summary>
internal static class DicomCommands
{
    public static Command Build()
    {
        var dicom = new Command("dicom", "Read DICOM files with the project's DICOM layer (GDCM)");
        var file = new Argument<FileInfo>("file") { Description = "A DICOM file" };
        var info = new Command("info", "Identifiers, geometry, rescale and the first frame's stored-value statistics, as JSON") { file };
        info.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            try
            {
                var reader = new GdcmDicomFileReader();
                var read = reader.Read(path);
                var frame = read.Dataset.Contains(DicomTags.Rows) ? TryFrame(reader, path) : null;
                Json.Write(DicomInfo.From(read, frame));
                return 0;
            }
            catch (DicomReadException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        dicom.Subcommands.Add(info);
        dicom.Subcommands.Add(Check());
        dicom.Subcommands.Add(Suv());
        dicom.Subcommands.Add(Ingest());
        return dicom;
    }

    /// <summary>
    /// <c>derby dicom ingest --patient PSEUDONYM DIR</c>: the web upload's use case from the command line. Prints the
    /// per-series and per-file outcome as JSON; exits 0 when stored (or already stored), 3 when refused (nothing stored).
    /// </summary>
    private static Command Ingest()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "Folder of the patient's DICOM files (searched recursively)" };
        directory.AcceptExistingOnly();
        var patient = new Option<string>("--patient") { Description = "The patient's pseudonym", Required = true };
        var ingest = new Command("ingest", "Store a patient's PET/CT series: all files or none") { directory, patient };
        ingest.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var pseudonym = parse.GetValue(patient)!;
            Guid id;
            await using (var db = await services.GetRequiredService<Derby.Application.Common.IDerbyDbContextFactory>().CreateAsync(token))
            {
                id = await db.Patients.Where(p => p.Pseudonym == pseudonym).Select(p => p.Id).SingleOrDefaultAsync(token);
            }

            if (id == Guid.Empty)
            {
                throw new Derby.Application.Common.NotFoundException($"No patient '{pseudonym}': register the patient first");
            }

            var files = parse.GetValue(directory)!.EnumerateFiles("*", SearchOption.AllDirectories).Select(f => f.FullName).Order(StringComparer.Ordinal).ToList();
            var result = await services.GetRequiredService<Derby.Application.Imaging.DicomIngestService>()
                .IngestAsync(Derby.Application.Access.AccessScope.System, id, files, cancellationToken: token);
            Json.Write(result);
            if (!result.Accepted)
            {
                await Console.Error.WriteLineAsync($"error: the upload was refused; nothing was stored ({result.FileResults.Count(f => f.Status == Derby.Application.Imaging.IngestStatus.Refused)} files refused)");
                return 3;
            }

            return 0;
        }, ct));
        return ingest;
    }

    /// <summary><c>derby dicom suv DIR</c>: the body-weight SUV factor of the one PET series in DIR, with the rule and tags behind it.</summary>
    private static Command Suv()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "Folder holding one PET series (searched recursively)" };
        directory.AcceptExistingOnly();
        var suv = new Command("suv", "Body-weight SUV scale factor of a PET series (QIBA vendor-neutral rules), as JSON") { directory };
        suv.SetAction(parse =>
        {
            try
            {
                var reader = new GdcmDicomFileReader();
                var slices = parse.GetValue(directory)!.EnumerateFiles("*", SearchOption.AllDirectories)
                    .OrderBy(f => f.FullName, StringComparer.Ordinal)
                    .Select(f => reader.Read(f.FullName).Dataset)
                    .ToList();
                if (slices.Count == 0)
                {
                    throw new Derby.Imaging.Quantitation.SuvException("the folder holds no DICOM files");
                }

                var series = slices.Select(s => s.GetString(DicomTags.SeriesInstanceUid)).Distinct().ToList();
                if (series.Count > 1)
                {
                    throw new Derby.Imaging.Quantitation.SuvException($"the folder holds {series.Count} series; give one PET series", DicomTags.SeriesInstanceUid);
                }

                var r = Derby.Imaging.Quantitation.SuvCalculator.Compute(slices);
                Json.Write(new
                {
                    r.SeriesInstanceUid,
                    r.Units,
                    r.DecayCorrection,
                    r.SuvFactor,
                    r.Rule,
                    r.InjectedDoseBq,
                    r.WeightKg,
                    HalfLifeS = r.HalfLifeSeconds,
                    InjectionDatetime = r.InjectionDateTime?.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture),
                    ScanDatetime = r.ScanDateTime?.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture),
                });
                return 0;
            }
            catch (Exception ex) when (ex is DicomReadException or Derby.Imaging.Quantitation.SuvException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return suv;
    }

    /// <summary>
    /// <c>derby dicom check DIR [--pseudonym P]</c>: the de-identification gate's verdict on every file under DIR.
    /// Exits 0 when every file is accepted, 3 when any is refused (the JSON says which and why).
    /// </summary>
    private static Command Check()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "Folder of DICOM files (searched recursively)" };
        directory.AcceptExistingOnly();
        var pseudonym = new Option<string?>("--pseudonym") { Description = "The case's pseudonym: Patient ID must equal it (default: not checked)" };
        var check = new Command("check", "The de-identification gate's verdict for each file, as JSON") { directory, pseudonym };
        check.SetAction(parse =>
        {
            var reader = new GdcmDicomFileReader();
            var expected = parse.GetValue(pseudonym);
            var files = parse.GetValue(directory)!.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
            var results = new List<CheckResult>();
            foreach (var file in files)
            {
                try
                {
                    var read = reader.Read(file.FullName);
                    var patientId = read.Dataset.GetString(DicomTags.PatientId) ?? "";
                    var verdict = Derby.Imaging.Deidentification.DeidentificationGate.Check(read.Dataset, expected ?? patientId);
                    results.Add(new CheckResult(file.FullName, verdict.Accepted,
                        verdict.Findings.Select(f => new CheckFinding(f.Path, f.Tag.ToString(), f.Name, f.Reason)).ToList()));
                }
                catch (DicomReadException ex)
                {
                    results.Add(new CheckResult(file.FullName, false, [new CheckFinding("", "", "file", ex.Reason)]));
                }
            }

            Json.Write(new { Files = results.Count, Refused = results.Count(r => !r.Accepted), Results = results });
            return results.All(r => r.Accepted) ? 0 : 3;
        });
        return check;
    }

    private static DicomFrame? TryFrame(IDicomFileReader reader, string path)
    {
        try
        {
            return reader.ReadFrame(path);
        }
        catch (DicomReadException)
        {
            // Attributes without decodable pixels (e.g. an unsupported layout): the statistics stay null.
            return null;
        }
    }
}

internal sealed record CheckFinding(string Path, string Tag, string Name, string Reason);

internal sealed record CheckResult(string File, bool Accepted, IReadOnlyList<CheckFinding> Findings);
