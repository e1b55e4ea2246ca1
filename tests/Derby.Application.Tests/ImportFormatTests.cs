using Derby.Application.Imports;
using Derby.Domain;

namespace Derby.Application.Tests;

public sealed class ImportFormatTests
{
    private static (ParsedRow? Row, List<ImportError> Errors) ParseRow(ImportFormat format, string header, string line, string site = "ZSH")
    {
        var names = header.Split(',');
        var columns = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var errors = new List<ImportError>();
        var row = new CsvRow(2, line.Split(','));
        return (format.Parse(new RowReader(row, columns, errors), site, errors), errors);
    }

    private const string ClinicalHeader = "pseudonym,suv_max,clinical_risk_score,cea_ng_ml,ca19_9_u_ml,primary_site,liver_metastases,largest_diameter_cm,distribution,age_years,sex";

    [Fact]
    public void Clinical_ParsesAValidRow_IntoTypedValues()
    {
        var (row, errors) = ParseRow(ImportFormat.Clinical, ClinicalHeader, "ZSH-T001,12.4,3,563.0,85,left,4,8.4,bilobar,48,M");

        Assert.Empty(errors);
        var input = Assert.IsType<ClinicalRow>(row).Input;
        Assert.Equal(12.4, input.SuvMax);
        Assert.Equal(563.0, input.CeaNgPerMl);
        Assert.Equal(PrimarySite.Left, input.PrimarySite);
        Assert.Equal(LiverDistribution.Bilobar, input.Distribution);
        Assert.Equal(Sex.Male, input.Sex);
    }

    [Fact]
    public void Clinical_AllowsAnEmptySuvMax_ForSegmentationToFillLater()
    {
        var (row, errors) = ParseRow(ImportFormat.Clinical, ClinicalHeader, "ZSH-T001,,3,5,85,RIGHT,1,2,unilobar,90,f");

        Assert.Empty(errors);
        Assert.Null(Assert.IsType<ClinicalRow>(row).Input.SuvMax);
    }

    [Theory]
    [InlineData("ZSH-T001,12.4,3,5;6,85,left,4,8.4,bilobar,48,M", "cea_ng_ml", "is not a number")]
    [InlineData("ZSH-T001,12.4,6,5,85,left,4,8.4,bilobar,48,M", "clinical_risk_score", "between 0 and 5")]
    [InlineData("ZSH-T001,12.4,2.5,5,85,left,4,8.4,bilobar,48,M", "clinical_risk_score", "whole number")]
    [InlineData("ZSH-T001,12.4,3,-1,85,left,4,8.4,bilobar,48,M", "cea_ng_ml", "between 0 and 100000 ng/ml")]
    [InlineData("ZSH-T001,12.4,3,5,85,middle,4,8.4,bilobar,48,M", "primary_site", "is not one of: left, right")]
    [InlineData("ZSH-T001,12.4,3,5,85,left,1,8.4,bilobar,48,M", "distribution", "single liver metastasis cannot be bilobar")]
    [InlineData("ZSH-T001,12.4,3,5,85,left,4,8.4,bilobar,95,M", "age_years", "enter 90 for 90 or older")]
    [InlineData("ZSH-T001,12.4,3,5,85,left,4,,bilobar,48,M", "largest_diameter_cm", "is required")]
    [InlineData("John Smith,12.4,3,5,85,left,4,8.4,bilobar,48,M", "pseudonym", "must start with the site code")]
    [InlineData("ZSH-1984/03/02,12.4,3,5,85,left,4,8.4,bilobar,48,M", "pseudonym", "upper-case letters or digits")]
    public void Clinical_RefusesABadValue_NamingTheColumnAndReason(string line, string column, string reason)
    {
        var (row, errors) = ParseRow(ImportFormat.Clinical, ClinicalHeader, line);

        Assert.Null(row);
        var error = Assert.Single(errors);
        Assert.Equal(column, error.Column);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Clinical_HintsAtTheDecimalPoint_WhenACommaDecimalIsQuoted()
    {
        var errors = new List<ImportError>();
        var header = ClinicalHeader.Split(',');
        var fields = "ZSH-T001|12,4|3|5|85|left|4|8.4|bilobar|48|M".Split('|');
        ImportFormat.Clinical.Parse(new RowReader(new CsvRow(7, fields), header.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i), errors), "ZSH", errors);

        var error = Assert.Single(errors);
        Assert.Equal(7, error.Line);
        Assert.Contains("decimal separator", error.Message);
    }

    [Theory]
    [InlineData("ZSH-T001,PR,9.6,1,27.6,0,1", null)]
    [InlineData("ZSH-T001,PR,30,1,27.6,0,1", "cannot be longer than OS")]
    [InlineData("ZSH-T001,PR,9.6,0,27.6,1,1", "PFS cannot be censored when OS is not")]
    [InlineData("ZSH-T001,XR,9.6,1,27.6,0,1", "not one of: cr, pr, sd, pd")]
    [InlineData("ZSH-T001,PR,9.6,2,27.6,0,1", "not one of: 0, 1, no, yes")]
    public void Outcomes_CheckConsistencyOfSurvival(string line, string? reason)
    {
        var (row, errors) = ParseRow(ImportFormat.Outcomes, "pseudonym,best_response,pfs_months,pfs_event,os_months,os_event,liver_resection", line);

        if (reason is null)
        {
            Assert.Empty(errors);
            Assert.True(Assert.IsType<OutcomeRow>(row).Input.LiverResection);
        }
        else
        {
            Assert.Contains(errors, e => e.Message.Contains(reason));
        }
    }

    [Fact]
    public void Patients_SplitsCohortCodes_AndRequiresAnArm()
    {
        var (row, errors) = ParseRow(ImportFormat.Patients, "pseudonym,treatment_arm,cohorts", "ZSH-T001,folfox_bevacizumab,Training; histology");
        Assert.Empty(errors);
        Assert.Equal(["training", "histology"], Assert.IsType<PatientRow>(row).Input.CohortCodes);

        var (_, missing) = ParseRow(ImportFormat.Patients, "pseudonym,treatment_arm,cohorts", "ZSH-T002,,training");
        Assert.Equal("treatment_arm", Assert.Single(missing).Column);
    }

    [Fact]
    public void Ihc_RefusesScoresOutOfRange_AndOverlongText()
    {
        var (_, errors) = ParseRow(ImportFormat.Ihc, "pseudonym,glut1,pkm,analysis_method", $"ZSH-T001,301,12,{new string('x', 65)}");

        Assert.Equal(["analysis_method", "glut1"], errors.Select(e => e.Column).Order());
    }

    [Fact]
    public void EveryFormat_HasAPseudonymColumn_AndUniqueColumnNames()
    {
        foreach (var format in ImportFormat.All)
        {
            Assert.Equal(ImportFormat.PseudonymColumn, format.Columns[0].Name);
            Assert.Equal(format.Columns.Count, format.Columns.Select(c => c.Name).Distinct().Count());
            Assert.Equal(format, ImportFormat.Get(format.Kind));
        }
    }
}
