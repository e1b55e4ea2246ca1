namespace Derby.Synthetic.Clinical;

/// <summary>
/// The hidden generative model of response to bevacizumab. Under FOLFOX + bevacizumab the log-odds of response add an
/// image phenotype, SUVmax, CEA, the primary site (left better), GLUT1 (lower better) and PKM (higher better), as the
/// paper's features and partial dependence suggest; under FOLFOX alone only a weak, bevacizumab-unrelated prognostic
/// term remains. Each modality alone predicts less well than all together, which is what DERBY+ must rediscover.
/// </summary>
public static class ResponseModel
{
    public const double Image = 1.55;
    public const double SuvMax = 0.45;
    public const double Cea = 0.35;
    public const double LeftSided = 0.40;
    public const double Glut1 = -0.80;
    public const double Pkm = 0.70;

    // Population constants for standardisation (fixed, so a patient's risk does not depend on who else is in the cohort).
    private const double LogSuvMean = 2.35, LogSuvSd = 0.45;
    private const double LogCeaMean = 3.6, LogCeaSd = 1.7;
    private const double Glut1Mean = 11.0, Glut1Sd = 4.3;
    private const double PkmMean = 12.3, PkmSd = 5.8;

    /// <summary>Sets the patient's modality parts and linear predictor (intercept excluded; the cohort sets it).</summary>
    public static void Score(SyntheticPatient p, bool bevacizumab)
    {
        var side = p.PrimarySite == Domain.PrimarySite.Left ? 1.0 : -1.0;
        var cea = (Math.Log(p.CeaNgPerMl) - LogCeaMean) / LogCeaSd;
        if (!bevacizumab)
        {
            p.ImagingPart = 0;
            p.HistologyPart = 0;
            p.ClinicalPart = 0.25 * cea + 0.15 * side;
            p.LinearPredictor = p.ClinicalPart;
            return;
        }

        p.ImagingPart = Image * p.ImagePhenotype;
        p.ClinicalPart = SuvMax * (Math.Log(p.SuvMax) - LogSuvMean) / LogSuvSd + Cea * cea + LeftSided * side;
        p.HistologyPart = Glut1 * (p.Glut1 - Glut1Mean) / Glut1Sd + Pkm * (p.Pkm - PkmMean) / PkmSd;
        p.LinearPredictor = p.ImagingPart + p.ClinicalPart + p.HistologyPart;
    }

    /// <summary>The intercept that makes the expected number of responders equal <paramref name="responders"/> (bisection).</summary>
    public static double Intercept(IReadOnlyList<SyntheticPatient> patients, int responders)
    {
        double lo = -20, hi = 20;
        for (var i = 0; i < 100; i++)
        {
            var mid = (lo + hi) / 2;
            var expected = patients.Sum(p => Sigmoid(mid + p.LinearPredictor));
            if (expected < responders)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
