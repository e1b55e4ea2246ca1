using System.Globalization;
using System.Text;
using Derby.Domain;
using Derby.Synthetic.Clinical;

namespace Derby.Synthetic.Output;

/// <summary>
/// The site's CSV files in the platform's import formats (patients, clinical, ihc, outcomes): what a site coordinator
/// would upload. IHC rows exist only for patients whose biopsy was scored.
/// </summary>
public static class CsvTables
{
    public const string PatientsHeader = "pseudonym,treatment_arm,cohorts";
    public const string ClinicalHeader = "pseudonym,suv_max,clinical_risk_score,cea_ng_ml,ca19_9_u_ml,primary_site,liver_metastases,largest_diameter_cm,distribution,age_years,sex";
    public const string IhcHeader = "pseudonym,glut1,pkm,glut1_antibody,pkm_antibody,analysis_method";
    public const string OutcomesHeader = "pseudonym,best_response,pfs_months,pfs_event,os_months,os_event,liver_resection";

    public static void Write(string directory, IReadOnlyList<SyntheticPatient> patients)
    {
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, "patients.csv"), PatientsHeader, patients, p =>
            $"{p.Pseudonym},{(p.Arm == TreatmentArm.FolfoxBevacizumab ? "folfox_bevacizumab" : "folfox")},{string.Join(';', p.Cohorts)}");
        Write(Path.Combine(directory, "clinical.csv"), ClinicalHeader, patients, p => string.Join(',',
            p.Pseudonym, F(p.SuvMax), I(p.ClinicalRiskScore), F(p.CeaNgPerMl), F(p.Ca199UPerMl),
            p.PrimarySite == PrimarySite.Left ? "left" : "right", I(p.LiverMetastases), F(p.LargestDiameterCm),
            p.Distribution == LiverDistribution.Bilobar ? "bilobar" : "unilobar", I(p.AgeYears), p.Sex == Sex.Female ? "F" : "M"));
        Write(Path.Combine(directory, "ihc.csv"), IhcHeader, patients.Where(p => p.HasIhc).ToList(), p =>
            $"{p.Pseudonym},{F(p.Glut1)},{F(p.Pkm)},EPR3915,EPR10138(B),HALO 3.3 H-score");
        Write(Path.Combine(directory, "outcomes.csv"), OutcomesHeader, patients, p => string.Join(',',
            p.Pseudonym, Response(p.BestResponse), F(p.PfsMonths), p.PfsEvent ? "1" : "0", F(p.OsMonths), p.OsEvent ? "1" : "0",
            p.LiverResection ? "1" : "0"));
    }

    private static void Write(string path, string header, IReadOnlyList<SyntheticPatient> patients, Func<SyntheticPatient, string> row)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var p in patients)
        {
            text.Append(row(p)).Append('\n');
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    private static string Response(RecistResponse r) => r switch
    {
        RecistResponse.CompleteResponse => "CR",
        RecistResponse.PartialResponse => "PR",
        RecistResponse.StableDisease => "SD",
        _ => "PD",
    };

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
