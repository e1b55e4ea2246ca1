using Derby.Synthetic.Output;

namespace Derby.Synthetic.Tests;

/// <summary>A small study with each of the four defects in its own patient, generated and read once.</summary>
public sealed class FaultStudy : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "derby-synth-faults", Guid.NewGuid().ToString("N"));

    public FaultStudy()
    {
        Result = new SyntheticStudyGenerator(new Derby.Imaging.Gdcm.GdcmDicomFileWriter()).Generate(new SyntheticStudyOptions(directory, 11, StudyScale.Small)
        {
            Faults = [FaultKind.Phi, FaultKind.MissingSlice, FaultKind.InconsistentSpacing, FaultKind.MissingDose],
        });
        Read = StudyFixture.ReadWithPydicom(directory);
    }

    public SyntheticStudyResult Result { get; }

    public System.Text.Json.JsonElement Read { get; }

    public void Dispose() => Directory.Delete(directory, true);
}

/// <summary>Each injectable defect shows up where the ingestion gate and the series checks will look for it.</summary>
public sealed class FaultTests(FaultStudy study) : IClassFixture<FaultStudy>
{
    private readonly SyntheticStudyResult result = study.Result;
    private readonly System.Text.Json.JsonElement read = study.Read;

    private System.Text.Json.JsonElement Patient(FaultKind kind) =>
        read.GetProperty("patients").GetProperty(result.Truth.Faults.Single(f => f.Kind == kind.ToString()).Pseudonym);

    [Fact]
    public void Phi_LeavesNamesDatesInstitutionPrivateTagsAndBurnedInAnnotation()
    {
        var pet = Patient(FaultKind.Phi).GetProperty("pt");

        Assert.Equal(["DeviceSerialNumber", "InstitutionName", "OtherPatientIDs", "PatientBirthDate", "ReferringPhysicianName"],
            pet.GetProperty("phi_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["ZHANG^WEI"], pet.GetProperty("patient_names").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["YES"], pet.GetProperty("burned_in").EnumerateArray().Select(t => t.GetString()));
        Assert.True(pet.GetProperty("private_tags").GetInt32() > 0);
    }

    [Fact]
    public void MissingSlice_LeavesAGapInBothSeries()
    {
        var patient = Patient(FaultKind.MissingSlice);
        var truth = result.Truth.Patients.Single(p => p.Pseudonym == result.Truth.Faults.Single(f => f.Kind == "MissingSlice").Pseudonym).Imaging!;

        Assert.False(patient.GetProperty("pt").GetProperty("spacing_ok").GetBoolean());
        Assert.False(patient.GetProperty("ct").GetProperty("spacing_ok").GetBoolean());
        Assert.Equal(truth.Pet.Slices, patient.GetProperty("pt").GetProperty("slices").GetInt32());
    }

    [Fact]
    public void InconsistentSpacing_DisplacesACtSlice()
    {
        var patient = Patient(FaultKind.InconsistentSpacing);

        Assert.False(patient.GetProperty("ct").GetProperty("spacing_ok").GetBoolean());
        Assert.True(patient.GetProperty("pt").GetProperty("spacing_ok").GetBoolean());
    }

    [Fact]
    public void MissingDose_LeavesNoWayToComputeSuv()
    {
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Patient(FaultKind.MissingDose).GetProperty("suv_factor").ValueKind);
        Assert.Equal(4, result.Truth.Faults.Select(f => f.Pseudonym).Distinct().Count());
    }
}
