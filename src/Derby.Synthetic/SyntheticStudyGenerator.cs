using System.Text.Json;
using Derby.Imaging.Dicom;
using Derby.Synthetic.Clinical;
using Derby.Synthetic.Output;
using Derby.Synthetic.Phantom;

namespace Derby.Synthetic;

/// <summary>
/// Writes a complete synthetic multi-centre study: per site the import CSVs and each patient's PET and CT DICOM series,
/// and apart from them the ground truth. Layout:
/// <code>
/// OUT/sites/{SITE}/patients.csv, clinical.csv, ihc.csv, outcomes.csv
/// OUT/sites/{SITE}/dicom/{PSEUDONYM}/PT/0001.dcm ..., CT/0001.dcm ...
/// OUT/ground-truth/truth.json
/// </code>
/// The same seed and scale always give byte-identical files; patients are rendered in parallel from their own random streams.
/// </summary>
public sealed class SyntheticStudyGenerator(IDicomFileWriter dicom)
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public SyntheticStudyResult Generate(SyntheticStudyOptions options, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var output = Path.GetFullPath(options.OutputDirectory);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
        {
            throw new IOException($"{output} is not empty: choose a new folder, so that no earlier study is mixed in");
        }

        var patients = ClinicalGenerator.Generate(options.Scale, options.Seed);
        foreach (var site in patients.GroupBy(p => p.Site))
        {
            CsvTables.Write(Path.Combine(output, "sites", site.Key), site.ToList());
        }

        var faults = patients.Take(options.Faults.Count).Select((p, i) => (p.Pseudonym, Kind: options.Faults[i])).ToList();
        var imaging = new ImagingTruth?[patients.Count];
        var files = 0;
        var done = 0;
        if (options.Images)
        {
            var writer = new SeriesWriter(dicom);
            Parallel.For(0, patients.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var p = patients[i];
                var patientFaults = faults.Where(f => f.Pseudonym == p.Pseudonym).Select(f => f.Kind).ToHashSet();
                var (truth, written) = Render(p, options, writer, Path.Combine(output, "sites", p.Site, "dicom", p.Pseudonym), patientFaults);
                imaging[i] = truth;
                Interlocked.Add(ref files, written);
                progress?.Report((Interlocked.Increment(ref done), patients.Count));
            });
        }

        var truth = new GroundTruth(
            "Derby.Synthetic 1",
            options.Seed,
            options.Scale.Name,
            new Dictionary<string, double>
            {
                ["image_phenotype"] = ResponseModel.Image,
                ["log_suv_max_z"] = ResponseModel.SuvMax,
                ["log_cea_z"] = ResponseModel.Cea,
                ["left_sided"] = ResponseModel.LeftSided,
                ["glut1_z"] = ResponseModel.Glut1,
                ["pkm_z"] = ResponseModel.Pkm,
            },
            options.Scale.CohortSizes.Keys.Select(code => Auc.For(code, patients.Where(p => p.Cohorts.Contains(code)).ToList())).ToList(),
            faults.Select(f => new FaultTruth(f.Pseudonym, f.Kind.ToString())).ToList(),
            patients.Select((p, i) => new PatientTruth(p.Pseudonym, p.Site, p.Cohorts, p.ImagePhenotype, p.LinearPredictor, p.ResponseProbability,
                p.Responder, imaging[i])).ToList());
        var truthDirectory = Directory.CreateDirectory(Path.Combine(output, "ground-truth")).FullName;
        File.WriteAllText(Path.Combine(truthDirectory, "truth.json"), JsonSerializer.Serialize(truth, Json));
        var bytes = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return new SyntheticStudyResult(patients.Count, files, bytes, truth);
    }

    private static (ImagingTruth Truth, int Files) Render(SyntheticPatient p, SyntheticStudyOptions options, SeriesWriter writer, string directory,
        ISet<FaultKind> faults)
    {
        var rng = SyntheticRandom.For(options.Seed, p.Pseudonym);
        var scanner = ScannerProfile.For(p.Site);
        var geometry = options.Scale.Geometry;
        var half = geometry.AxialExtentMm / 2;
        var anatomy = Anatomy.Create(p, half, rng);
        var petFov = options.Scale == StudyScale.Paper ? scanner.PetReconstructionDiameterMm : 384;
        var ctFov = options.Scale == StudyScale.Paper ? scanner.CtReconstructionDiameterMm : 384;
        var petGrid = VolumeGrid.Centered(geometry.PetMatrix, petFov, scanner.PetSliceThicknessMm, -half, geometry.AxialExtentMm);
        var ctGrid = VolumeGrid.Centered(geometry.CtMatrix, ctFov, scanner.CtSliceThicknessMm, -half, geometry.AxialExtentMm);

        var session = Session(p, options.Seed, rng);
        var pet = Renderer.RenderPet(anatomy, petGrid, scanner, p.SuvMax, rng);
        var petTruth = writer.WritePet(p, pet, scanner, session, scanner.PetCalibration, Path.Combine(directory, "PT"), faults);
        var ct = Renderer.RenderCt(anatomy, ctGrid, scanner, rng);
        var ctFiles = writer.WriteCt(p, ct, ctGrid, scanner, session, Path.Combine(directory, "CT"), faults);

        var truth = new ImagingTruth(
            session.WeightKg,
            session.InjectedDoseBq,
            session.InjectionTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            session.ScanStart.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            scanner.PetCalibration,
            session.StudyInstanceUid,
            session.FrameOfReferenceUid,
            Series(session.PetSeriesUid, petTruth.Slices, petGrid),
            Series(session.CtSeriesUid, ctFiles, ctGrid),
            petTruth.SuvFactor,
            petTruth.SuvMaxImage,
            petTruth.NoiseFreeSuvMax,
            petTruth.PeakScale,
            anatomy.Lesions.Select(LesionTruth.From).ToList());
        return (truth, petTruth.Slices + ctFiles);
    }

    private static SeriesTruth Series(string uid, int slices, VolumeGrid g) =>
        new(uid, slices, g.Ny, g.Nx, [g.Dy, g.Dx], g.Dz, [g.X0, g.Y0, g.Z0]);

    /// <summary>Scan day by cohort era (BECOME 2013-2016, internal 2018, external 2020), about 3.7 MBq/kg, uptake about 60 minutes.</summary>
    private static ImagingSession Session(SyntheticPatient p, ulong seed, SyntheticRandom rng)
    {
        var year = p.PrimaryCohort switch
        {
            "internal-validation" => 2018,
            "external-validation" => 2020,
            _ => 2013 + rng.Next(0, 4),
        };
        var day = new DateTime(year, 1, 1).AddDays(rng.Next(0, 360));
        var injection = day.AddHours(7.5).AddSeconds(rng.Next(0, 4 * 3600));
        var scan = injection.AddSeconds(Math.Round(rng.Normal(3600, 420)));
        var dose = Math.Round(3.7e6 * p.WeightKg * rng.Uniform(0.9, 1.1) / 1e4) * 1e4;
        string Uid(string part) => DicomUid.FromName($"derby-synthetic/{seed}/{p.Pseudonym}/{part}");
        return new ImagingSession(injection, scan, dose, p.WeightKg, Uid("study"), Uid("frame-of-reference"), Uid("pet"), Uid("ct"));
    }
}
