using System.Text.RegularExpressions;
using Derby.Application.Common;
using Derby.Domain;

namespace Derby.Application.Patients;

/// <summary>
/// Every rule a patient's data must satisfy, shared by the forms, the CSV import and the API.
/// Field keys are the CSV column names.
/// </summary>
public static partial class PatientRules
{
    public static readonly NumericRule SuvMax = new("suv_max", "SUVmax", 0.1, 100);
    public static readonly NumericRule ClinicalRiskScore = new("clinical_risk_score", "Clinical risk score", 0, 5, "points", Integer: true);
    public static readonly NumericRule Cea = new("cea_ng_ml", "CEA", 0, 100_000, "ng/ml");
    public static readonly NumericRule Ca199 = new("ca19_9_u_ml", "CA19-9", 0, 1_000_000, "U/ml");
    public static readonly NumericRule LiverMetastases = new("liver_metastases", "Number of liver metastases", 1, 200, Integer: true);
    public static readonly NumericRule LargestDiameter = new("largest_diameter_cm", "Largest diameter", 0.1, 40, "cm");

    /// <summary>Ages over 89 identify people (HIPAA Safe Harbor): 90 stands for 90 or older.</summary>
    public static readonly NumericRule Age = new("age_years", "Age", 18, 90, "years (enter 90 for 90 or older)", Integer: true);

    public static readonly NumericRule Glut1 = new("glut1", "GLUT1 score", 0, 300);
    public static readonly NumericRule Pkm = new("pkm", "PKM score", 0, 300);
    public static readonly NumericRule PfsMonths = new("pfs_months", "PFS", 0, 240, "months");
    public static readonly NumericRule OsMonths = new("os_months", "OS", 0, 240, "months");

    public const int MaxFreeTextLength = 64;

    [GeneratedRegex("^[A-Z0-9]{2,12}$")]
    private static partial Regex SiteCodePattern();

    [GeneratedRegex("^[A-Z0-9]{1,24}$")]
    private static partial Regex PseudonymSuffixPattern();

    public static string? CheckSiteCode(string? code) =>
        code is not null && SiteCodePattern().IsMatch(code) ? null : "Site code must be 2 to 12 upper-case letters or digits";

    /// <summary>
    /// Pseudonyms are "{SITE}-{CODE}" with CODE of 1 to 24 upper-case letters or digits. The fixed shape keeps names,
    /// dates and hospital numbers with separators out of the one identifier the study stores.
    /// </summary>
    public static string? CheckPseudonym(string? pseudonym, string siteCode)
    {
        if (string.IsNullOrWhiteSpace(pseudonym))
        {
            return "Pseudonym is required";
        }

        var prefix = siteCode + "-";
        // Checked first, so that a pasted page of text is not quoted back whole.
        if (pseudonym.Length > prefix.Length + 24)
        {
            return $"Pseudonym must be '{prefix}' followed by 1 to 24 upper-case letters or digits; this one has {pseudonym.Length} characters";
        }

        if (!pseudonym.StartsWith(prefix, StringComparison.Ordinal))
        {
            return $"Pseudonym '{pseudonym}' must start with the site code '{prefix}'";
        }

        return PseudonymSuffixPattern().IsMatch(pseudonym[prefix.Length..])
            ? null
            : $"Pseudonym '{pseudonym}' must be '{prefix}' followed by 1 to 24 upper-case letters or digits";
    }

    public static List<FieldError> Validate(ClinicalInput c)
    {
        var errors = new List<FieldError>();
        Optional(errors, SuvMax, c.SuvMax);
        Required(errors, ClinicalRiskScore, c.ClinicalRiskScore);
        Required(errors, Cea, c.CeaNgPerMl);
        Required(errors, Ca199, c.Ca199UPerMl);
        Required(errors, LiverMetastases, c.LiverMetastasisCount);
        Required(errors, LargestDiameter, c.LargestDiameterCm);
        Required(errors, Age, c.AgeYears);
        if (c.PrimarySite is null)
        {
            errors.Add(new("primary_site", "Primary site is required (left or right)"));
        }

        if (c.Distribution is null)
        {
            errors.Add(new("distribution", "Distribution is required (unilobar or bilobar)"));
        }
        else if (c.Distribution == LiverDistribution.Bilobar && c.LiverMetastasisCount == 1)
        {
            errors.Add(new("distribution", "A single liver metastasis cannot be bilobar"));
        }

        if (c.Sex is null)
        {
            errors.Add(new("sex", "Sex is required (F or M)"));
        }

        return errors;
    }

    public static List<FieldError> Validate(BiopsyInput b)
    {
        var errors = new List<FieldError>();
        Required(errors, Glut1, b.Glut1Score);
        Required(errors, Pkm, b.PkmScore);
        FreeText(errors, "glut1_antibody", "GLUT1 antibody", b.Glut1Antibody);
        FreeText(errors, "pkm_antibody", "PKM antibody", b.PkmAntibody);
        FreeText(errors, "analysis_method", "Analysis method", b.AnalysisMethod);
        return errors;
    }

    public static List<FieldError> Validate(OutcomeInput o)
    {
        var errors = new List<FieldError>();
        if (o.BestResponse is null)
        {
            errors.Add(new("best_response", "Best response is required (CR, PR, SD or PD)"));
        }

        Required(errors, PfsMonths, o.PfsMonths);
        Required(errors, OsMonths, o.OsMonths);
        if (o.PfsEvent is null)
        {
            errors.Add(new("pfs_event", "PFS event is required (1 = progression or death, 0 = censored)"));
        }

        if (o.OsEvent is null)
        {
            errors.Add(new("os_event", "OS event is required (1 = death, 0 = censored)"));
        }

        if (o.LiverResection is null)
        {
            errors.Add(new("liver_resection", "Liver resection is required (1 = yes, 0 = no)"));
        }

        // PFS and OS run from the same start and death ends both.
        if (o.PfsMonths is { } pfs && o.OsMonths is { } os && pfs > os)
        {
            errors.Add(new("pfs_months", $"PFS ({pfs:0.##} months) cannot be longer than OS ({os:0.##} months)"));
        }

        if (o.OsEvent == true && o.PfsEvent == false)
        {
            errors.Add(new("pfs_event", "Death (OS event) is also a PFS event: PFS cannot be censored when OS is not"));
        }

        return errors;
    }

    public static void FreeText(List<FieldError> errors, string field, string label, string? value)
    {
        // Empty is "not given" (a cleared form field); white space only is refused by CheckText.
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (CheckText(value, label, MaxFreeTextLength) is { } problem)
        {
            errors.Add(new(field, problem));
        }
    }

    /// <summary>
    /// Why a free-text value (a name, a description, an antibody clone) cannot be stored, or null. Refused: more than
    /// <paramref name="maxLength"/> characters; blank (white space only); control characters (NUL included); invisible
    /// formatting characters (bidirectional overrides such as U+202E, zero-width joiners and spaces, the BOM), which make
    /// text read differently from what is stored; unpaired surrogates (not text at all); stacks of combining marks; and a
    /// leading '=', '+', '-' or '@', which spreadsheets opening an export would run as a formula (CSV injection; the
    /// same rule for forms, API and CSV imports, ADR 0003). Letters of any script, emoji and combining accents pass;
    /// <see cref="CleanText"/> stores them trimmed and in Unicode normalisation form C.
    /// </summary>
    public static string? CheckText(string value, string label, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > maxLength)
        {
            return $"{label} must be at most {maxLength} characters";
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{label} must not be blank (white space only)";
        }

        var marks = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                marks = 0;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"{label} contains an unpaired surrogate (U+{(int)c:X4}): it is not valid text";
            }

            // What decoders put where the text was not valid (a lone surrogate in JSON, a bad byte in a file).
            if (c == '\uFFFD')
            {
                return $"{label} contains U+FFFD, the replacement for text that was not valid where it came from: retype it";
            }

            if (char.IsControl(c))
            {
                return $"{label} must not contain control characters (U+{(int)c:X4})";
            }

            var category = char.GetUnicodeCategory(c);
            if (category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
                or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return $"{label} must not contain invisible formatting characters (U+{(int)c:X4}, e.g. a right-to-left override or a zero-width joiner)";
            }

            marks = category is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark ? marks + 1 : 0;
            if (marks > MaxCombiningMarks)
            {
                return $"{label} stacks more than {MaxCombiningMarks} combining marks on one character";
            }
        }

        if (value.TrimStart()[0] is '=' or '+' or '-' or '@')
        {
            return $"{label} must not start with '=', '+', '-' or '@': a spreadsheet would run it as a formula";
        }

        return null;
    }

    /// <summary>A checked free-text value as stored: trimmed, in Unicode normalisation form C; null when empty.</summary>
    public static string? CleanText(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().Normalize(System.Text.NormalizationForm.FormC);

    private const int MaxCombiningMarks = 4;

    private static void Required(List<FieldError> errors, NumericRule rule, double? value)
    {
        if (value is null)
        {
            errors.Add(new(rule.Field, $"{rule.Label} is required"));
            return;
        }

        Optional(errors, rule, value);
    }

    private static void Optional(List<FieldError> errors, NumericRule rule, double? value)
    {
        if (value is { } v && rule.Check(v) is { } message)
        {
            errors.Add(new(rule.Field, message));
        }
    }
}
