using System.Globalization;
using System.Text;

namespace Derby.Infrastructure.Tests;

/// <summary>Builds import files for a site's patients, in the documented formats.</summary>
internal static class CsvFiles
{
    public static string Patients(string site, int count, string cohorts = "training") =>
        "pseudonym,treatment_arm,cohorts\n" + string.Concat(Enumerable.Range(1, count).Select(i => $"{site}-P{i:D4},folfox_bevacizumab,{cohorts}\n"));

    public static string Clinical(string site, int count) =>
        "pseudonym,suv_max,clinical_risk_score,cea_ng_ml,ca19_9_u_ml,primary_site,liver_metastases,largest_diameter_cm,distribution,age_years,sex\n"
        + string.Concat(Enumerable.Range(1, count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{site}-P{i:D4},{5 + i % 20}.5,{i % 6},{10 * i},{3 * i},{(i % 2 == 0 ? "left" : "right")},{1 + i % 7},{1 + i % 9}.2,{(i % 7 == 0 ? "unilobar" : "bilobar")},{30 + i % 50},{(i % 3 == 0 ? "F" : "M")}\n")));

    public static Stream Stream(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));
}
