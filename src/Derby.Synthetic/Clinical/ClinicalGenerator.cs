using Derby.Domain;

namespace Derby.Synthetic.Clinical;

/// <summary>
/// Draws the patients of every cohort so that their Table 1 summaries match the paper's (exact counts for categories,
/// the reported mean and SD for SUVmax and IHC scores), then their response and survival from <see cref="ResponseModel"/>.
/// </summary>
public static class ClinicalGenerator
{
    public static IReadOnlyList<SyntheticPatient> Generate(StudyScale scale, ulong seed)
    {
        var rng = SyntheticRandom.For(seed, "clinical");
        var patients = new List<SyntheticPatient>();
        var primary = new[] { "training", "internal-validation", "external-validation", "negative-validation" };
        var histologyTarget = Scaled(CohortTarget.Get("histology"), scale.CohortSize("histology"));
        foreach (var code in primary)
        {
            var target = Scaled(CohortTarget.Get(code), scale.CohortSize(code));
            var ihcSource = code is "training" or "internal-validation" ? histologyTarget : target;
            var cohort = DrawCohort(target, ihcSource, rng);
            foreach (var p in cohort)
            {
                ResponseModel.Score(p, p.Arm == TreatmentArm.FolfoxBevacizumab);
            }

            AssignResponders(cohort, target.Responders, rng);
            patients.AddRange(cohort);
        }

        SelectHistology(patients.Where(p => p.PrimaryCohort is "training" or "internal-validation").ToList(), histologyTarget, rng);
        foreach (var p in patients)
        {
            DrawOutcome(p, rng);
        }

        AssignPseudonyms(patients, rng);
        return patients;
    }

    /// <summary>The target with every count scaled to a cohort of <paramref name="n"/> (the paper's own counts when n is the paper's).</summary>
    public static CohortTarget Scaled(CohortTarget t, int n)
    {
        if (n == t.N)
        {
            return t;
        }

        int S(int count) => (int)Math.Round((double)count * n / t.N, MidpointRounding.AwayFromZero);
        var ceaLow = S(t.CeaBelow5);
        var ceaHigh = S(t.CeaAtLeast200);
        return t with
        {
            N = n,
            Female = S(t.Female),
            AgeOver65 = S(t.AgeOver65),
            CeaBelow5 = ceaLow,
            CeaAtLeast200 = ceaHigh,
            Cea5To199 = n - ceaLow - ceaHigh,
            Ca199AtLeast200 = S(t.Ca199AtLeast200),
            RiskScore3To5 = S(t.RiskScore3To5),
            RightSided = S(t.RightSided),
            MetastasesAtLeast3 = S(t.MetastasesAtLeast3),
            SizeAtLeast5Cm = S(t.SizeAtLeast5Cm),
            Bilobar = S(t.Bilobar),
            Responders = Math.Max(1, Math.Min(n - 1, S(t.Responders))),
        };
    }

    private static List<SyntheticPatient> DrawCohort(CohortTarget t, CohortTarget ihc, SyntheticRandom rng)
    {
        var n = t.N;
        var arm = t.Kind == CohortKind.NegativeControl ? TreatmentArm.FolfoxAlone : TreatmentArm.FolfoxBevacizumab;
        var patients = Enumerable.Range(0, n).Select(i => new SyntheticPatient
        {
            Site = t.Kind == CohortKind.ExternalValidation ? (i < (n + 1) / 2 ? "ZSHX" : "HWMU") : "ZSH",
            Arm = arm,
            PrimaryCohort = t.Code,
        }).ToList();
        foreach (var p in patients)
        {
            p.Cohorts.Add(t.Code);
        }

        var female = Exactly(n, t.Female, rng);
        var over65 = Exactly(n, t.AgeOver65, rng);
        var ceaClass = Categories(n, [t.CeaBelow5, t.Cea5To199, t.CeaAtLeast200], rng);
        var ca199High = Exactly(n, t.Ca199AtLeast200, rng);
        var right = Exactly(n, t.RightSided, rng);
        var many = Exactly(n, t.MetastasesAtLeast3, rng);
        var large = Exactly(n, t.SizeAtLeast5Cm, rng);
        var bilobar = Exactly(n, t.Bilobar, rng);
        var ages = Ages(t, over65, rng);
        var suv = Stratified(n, t.SuvMaxMean, t.SuvMaxSd, rng);
        var glut1 = Stratified(n, ihc.Glut1Mean!.Value, ihc.Glut1Sd!.Value, rng);
        var pkm = Stratified(n, ihc.PkmMean!.Value, ihc.PkmSd!.Value, rng);

        for (var i = 0; i < n; i++)
        {
            var p = patients[i];
            p.Sex = female[i] ? Sex.Female : Sex.Male;
            p.AgeYears = ages[i];
            p.CeaNgPerMl = Round(ceaClass[i] switch
            {
                0 => rng.Uniform(0.5, 4.95),
                1 => LogUniform(rng, 5, 199.4),
                _ => LogUniform(rng, 200, 3000),
            }, 1);
            p.Ca199UPerMl = Round(ca199High[i] ? LogUniform(rng, 200, 10000) : LogUniform(rng, 2, 199.4), 1);
            p.PrimarySite = right[i] ? PrimarySite.Right : PrimarySite.Left;
            p.Distribution = bilobar[i] ? LiverDistribution.Bilobar : LiverDistribution.Unilobar;
            p.LiverMetastases = many[i]
                ? Math.Min(12, 3 + (int)rng.Exponential(2.5))
                : bilobar[i] ? 2 : rng.Next(1, 3);
            p.LargestDiameterCm = Round(large[i] ? Math.Min(11, 5 + rng.Exponential(2.0)) : rng.Uniform(1.5, 4.9), 1);
            p.SuvMax = Round(Math.Clamp(suv[i], 2.5, 60), 1);
            p.Glut1 = Round(Math.Min(300, glut1[i]), 1);
            p.Pkm = Round(Math.Min(300, pkm[i]), 1);
            p.HasIhc = t.Kind is CohortKind.ExternalValidation or CohortKind.NegativeControl;
            p.ImagePhenotype = rng.Normal();
            p.WeightKg = Round(Math.Clamp(rng.Normal(p.Sex == Sex.Female ? 57 : 68, 9), 40, 110), 1);
        }

        AssignRiskScores(patients, t.RiskScore3To5, rng);
        return patients;
    }

    /// <summary>
    /// Fong's score: 1 for synchronous metastases (every patient here), plus node-positive primary, CEA > 200 ng/ml,
    /// more than one metastasis, largest over 5 cm. Node status is the free factor, set to meet the cohort's 3-5 count.
    /// </summary>
    private static void AssignRiskScores(List<SyntheticPatient> patients, int target3To5, SyntheticRandom rng)
    {
        int Base(SyntheticPatient p) => 1 + (p.CeaNgPerMl > 200 ? 1 : 0) + (p.LiverMetastases > 1 ? 1 : 0) + (p.LargestDiameterCm > 5 ? 1 : 0);
        var already = patients.Count(p => Base(p) >= 3);
        var twos = patients.Where(p => Base(p) == 2).ToList();
        rng.Shuffle(twos);
        var needed = Math.Clamp(target3To5 - already, 0, twos.Count);
        foreach (var p in patients)
        {
            p.NodePositive = Base(p) >= 3 ? rng.Bernoulli(0.6) : Base(p) < 2 && rng.Bernoulli(0.5);
        }

        for (var i = 0; i < twos.Count; i++)
        {
            twos[i].NodePositive = i < needed;
        }

        foreach (var p in patients)
        {
            p.ClinicalRiskScore = Base(p) + (p.NodePositive ? 1 : 0);
        }
    }

    /// <summary>Exactly <paramref name="k"/> responders, chosen as the top k of log-odds plus logistic noise (a Bernoulli draw conditioned on its total).</summary>
    private static void AssignResponders(List<SyntheticPatient> cohort, int k, SyntheticRandom rng)
    {
        var keys = cohort.Select(p => (Patient: p, Key: p.LinearPredictor + rng.Logistic())).OrderByDescending(x => x.Key).ToList();
        for (var i = 0; i < keys.Count; i++)
        {
            keys[i].Patient.Responder = i < k;
        }

        var intercept = ResponseModel.Intercept(cohort, k);
        foreach (var p in cohort)
        {
            p.ResponseProbability = ResponseModel.Sigmoid(intercept + p.LinearPredictor);
        }
    }

    /// <summary>
    /// The histology cohort: patients of training and internal validation with a scored biopsy, chosen (by swaps from a
    /// random start) so that its Table 1 counts and responders match the paper's histology column.
    /// </summary>
    private static void SelectHistology(List<SyntheticPatient> pool, CohortTarget t, SyntheticRandom rng)
    {
        var features = new (Func<SyntheticPatient, bool> Has, int Target)[]
        {
            (p => p.Responder, t.Responders),
            (p => p.Sex == Sex.Female, t.Female),
            (p => p.AgeYears > 65, t.AgeOver65),
            (p => p.AgeYears < t.AgeMedian, (t.N - 1) / 2),
            (p => p.CeaNgPerMl < 5, t.CeaBelow5),
            (p => p.CeaNgPerMl >= 200, t.CeaAtLeast200),
            (p => p.Ca199UPerMl >= 200, t.Ca199AtLeast200),
            (p => p.ClinicalRiskScore >= 3, t.RiskScore3To5),
            (p => p.PrimarySite == PrimarySite.Right, t.RightSided),
            (p => p.LiverMetastases >= 3, t.MetastasesAtLeast3),
            (p => p.LargestDiameterCm >= 5, t.SizeAtLeast5Cm),
            (p => p.Distribution == LiverDistribution.Bilobar, t.Bilobar),
        };
        var order = pool.ToList();
        rng.Shuffle(order);
        var chosen = order.Take(Math.Min(t.N, order.Count)).ToHashSet();
        var rest = order.Skip(chosen.Count).ToList();
        double Cost() => features.Sum(f => Math.Pow(chosen.Count(f.Has) - f.Target, 2) * (f.Target == t.Responders ? 4 : 1));
        var cost = Cost();
        for (var iteration = 0; iteration < 4000 && rest.Count > 0 && cost > 0; iteration++)
        {
            var inList = chosen.ToList();
            var a = inList[rng.Next(0, inList.Count)];
            var bIndex = rng.Next(0, rest.Count);
            var b = rest[bIndex];
            chosen.Remove(a);
            chosen.Add(b);
            var next = Cost();
            if (next <= cost)
            {
                cost = next;
                rest[bIndex] = a;
            }
            else
            {
                chosen.Remove(b);
                chosen.Add(a);
            }
        }

        foreach (var p in pool.Where(chosen.Contains))
        {
            p.Cohorts.Add("histology");
            p.HasIhc = true;
        }
    }

    private static void DrawOutcome(SyntheticPatient p, SyntheticRandom rng)
    {
        var bev = p.Arm == TreatmentArm.FolfoxBevacizumab;
        p.BestResponse = p.Responder
            ? (rng.Bernoulli(0.06) ? RecistResponse.CompleteResponse : RecistResponse.PartialResponse)
            : (rng.Bernoulli(0.65) ? RecistResponse.StableDisease : RecistResponse.ProgressiveDisease);
        // Medians (months): responders progress later and live longer, as the paper's Kaplan-Meier curves show.
        var pfsMedian = p.Responder ? (bev ? 11.0 : 8.0) : (bev ? 6.0 : 5.0);
        var ppsMedian = p.Responder ? 18.0 : 12.0;
        var pfs = Weibull(rng, 1.5, pfsMedian);
        var os = pfs + Weibull(rng, 1.3, ppsMedian);
        var censor = rng.Uniform(18, 48);
        p.PfsMonths = Round(Math.Min(pfs, censor), 1);
        p.PfsEvent = pfs <= censor;
        p.OsMonths = Round(Math.Min(os, censor), 1);
        p.OsEvent = os <= censor;
        if (p.PfsMonths > p.OsMonths)
        {
            p.PfsMonths = p.OsMonths;
        }

        p.LiverResection = rng.Bernoulli(p.Responder ? 0.30 : 0.058);
    }

    private static void AssignPseudonyms(List<SyntheticPatient> patients, SyntheticRandom rng)
    {
        // Shuffled within each site, so that a pseudonym's number says nothing about its cohort.
        foreach (var site in patients.GroupBy(p => p.Site).ToList())
        {
            var list = site.ToList();
            rng.Shuffle(list);
            for (var i = 0; i < list.Count; i++)
            {
                list[i].Pseudonym = $"{site.Key}-{i + 1:D4}";
            }
        }

        patients.Sort((a, b) => string.CompareOrdinal(a.Pseudonym, b.Pseudonym));
    }

    /// <summary>
    /// Ages with the cohort's range, count over 65 and median: the middle patient is given the median age, as many
    /// under-65s as needed fall below it, the other under-65s between the median and 65.
    /// </summary>
    private static int[] Ages(CohortTarget t, bool[] over65, SyntheticRandom rng)
    {
        var n = over65.Length;
        var under = Enumerable.Range(0, n).Where(i => !over65[i]).ToList();
        var below = Math.Min((n - 1) / 2, Math.Max(0, under.Count - 1));
        var median = (int)Math.Round(t.AgeMedian);
        var ages = new int[n];
        for (var r = 0; r < under.Count; r++)
        {
            ages[under[r]] = r < below
                ? (r == 0 ? t.AgeMin : rng.Next(t.AgeMin, median))
                : r == below ? median : rng.Next(median, 66);
        }

        var over = Enumerable.Range(0, n).Where(i => over65[i]).ToList();
        for (var r = 0; r < over.Count; r++)
        {
            ages[over[r]] = r == 0 ? Math.Max(66, t.AgeMax) : rng.Next(66, Math.Max(67, t.AgeMax + 1));
        }

        return ages;
    }

    private static bool[] Exactly(int n, int k, SyntheticRandom rng)
    {
        var values = Enumerable.Range(0, n).Select(i => i < k).ToArray();
        rng.Shuffle(values);
        return values;
    }

    private static int[] Categories(int n, int[] counts, SyntheticRandom rng)
    {
        var values = counts.SelectMany((c, i) => Enumerable.Repeat(i, c)).Take(n).ToList();
        while (values.Count < n)
        {
            values.Add(1);
        }

        rng.Shuffle(values);
        return [.. values];
    }

    private static double LogUniform(SyntheticRandom rng, double low, double high) => Math.Exp(rng.Uniform(Math.Log(low), Math.Log(high)));

    /// <summary>
    /// A log-normal sample with the given mean and SD, stratified (one draw in each of n equal-probability strata, then
    /// shuffled): skewed like the paper's values, with sample moments close to the reported ones.
    /// </summary>
    private static double[] Stratified(int n, double mean, double sd, SyntheticRandom rng)
    {
        var s2 = Math.Log(1 + sd * sd / (mean * mean));
        var mu = Math.Log(mean) - s2 / 2;
        var values = Enumerable.Range(0, n).Select(i => Math.Exp(mu + Math.Sqrt(s2) * NormalQuantile((i + rng.NextDouble()) / n))).ToArray();
        rng.Shuffle(values);
        return values;
    }

    /// <summary>Inverse standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        var r = p - 0.5;
        var t = r * r;
        return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * r / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
    }

    private static double Weibull(SyntheticRandom rng, double shape, double median) =>
        median / Math.Pow(Math.Log(2), 1 / shape) * Math.Pow(-Math.Log(1 - rng.NextDouble()), 1 / shape);

    private static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
}
