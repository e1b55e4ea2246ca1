using Derby.Imaging.Gdcm;
using Derby.Imaging.Series;
using Derby.Synthetic;
using Derby.Synthetic.Output;

namespace Derby.Imaging.Tests.Series;

/// <summary>
/// A small synthetic study written once to a temporary folder with GDCM, with the MissingSlice fault in the first patient
/// and InconsistentSpacing in the second (the generator's order), read back per series with <see cref="GdcmDicomFileReader"/>.
/// </summary>
public sealed class SyntheticStudyFixture : IDisposable
{
    public const ulong Seed = 20260611;

    private readonly Dictionary<string, IReadOnlyList<SliceSource>> cache = new(StringComparer.Ordinal);

    public SyntheticStudyFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "derby-series-" + Guid.NewGuid().ToString("N"));
        var options = new SyntheticStudyOptions(Directory, Seed, StudyScale.Small) { Faults = [FaultKind.MissingSlice, FaultKind.InconsistentSpacing] };
        Truth = new SyntheticStudyGenerator(new GdcmDicomFileWriter()).Generate(options).Truth;
    }

    public string Directory { get; }

    public GroundTruth Truth { get; }

    public GdcmDicomFileReader Reader { get; } = new();

    public string FaultedPatient(FaultKind kind) => Truth.Faults.Single(f => f.Kind == kind.ToString()).Pseudonym;

    public IEnumerable<PatientTruth> UnfaultedPatients => Truth.Patients.Where(p => Truth.Faults.All(f => f.Pseudonym != p.Pseudonym));

    /// <summary>The files of one patient's PT or CT folder, read (headers only), in file-name order.</summary>
    public IReadOnlyList<SliceSource> Slices(PatientTruth patient, string modality)
    {
        var folder = Path.Combine(Directory, "sites", patient.Site, "dicom", patient.Pseudonym, modality);
        lock (cache)
        {
            if (!cache.TryGetValue(folder, out var slices))
            {
                slices = System.IO.Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal)
                    .Select(path => SliceSource.From(Reader.Read(path))).ToList();
                cache[folder] = slices;
            }

            return slices;
        }
    }

    public PatientTruth Patient(string pseudonym) => Truth.Patients.Single(p => p.Pseudonym == pseudonym);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the next run uses a new one.
        }
    }
}
