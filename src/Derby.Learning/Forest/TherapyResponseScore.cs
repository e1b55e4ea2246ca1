namespace Derby.Learning.Forest;

/// <summary>One patient's therapy response score.</summary>
/// <param name="PatientKey">The patient.</param>
/// <param name="Score">TRS = Σ area·p / Σ area over the patient's pairs, in [0, 1].</param>
/// <param name="Responder">TRS ≥ <paramref name="Threshold"/>.</param>
/// <param name="Threshold">The threshold the label was taken at.</param>
/// <param name="PairCount">How many pairs the score aggregates.</param>
/// <param name="TotalArea">Σ area of those pairs (voxels).</param>
public sealed record PatientResponse(string PatientKey, double Score, bool Responder, double Threshold, int PairCount, long TotalArea);

/// <summary>
/// DERBY's therapy response score: each patient's pair probabilities averaged with the pairs' ROI areas as weights
/// (the paper's "weighted voting among all image pairs from that patient, where the weight of each PET/CT pair was
/// determined according to the ROI size on the corresponding PET image"); responder when TRS ≥ 0.5.
/// </summary>
public static class TherapyResponseScore
{
    /// <summary>The paper's threshold: TRS ≥ 0.5 is a responder.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Every patient of the table, in order of first appearance.</summary>
    /// <param name="table">The pairs (their patient keys and ROI areas).</param>
    /// <param name="pairProbabilities">Each row's probability of response, in table order, each in [0, 1].</param>
    /// <param name="threshold">The responder threshold, in [0, 1].</param>
    /// <exception cref="ArgumentException">Counts differ, a probability is outside [0, 1] or not a number, or the threshold is out of range.</exception>
    public static IReadOnlyList<PatientResponse> Compute(PairTable table, IReadOnlyList<double> pairProbabilities, double threshold = DefaultThreshold) =>
        Compute(table, pairProbabilities, table.Patients, threshold);

    /// <summary>The named patients, in the order given.</summary>
    /// <exception cref="ArgumentException">A named patient has no pair in the table, or as in the other overload.</exception>
    public static IReadOnlyList<PatientResponse> Compute(
        PairTable table, IReadOnlyList<double> pairProbabilities, IEnumerable<string> patients, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(pairProbabilities);
        ArgumentNullException.ThrowIfNull(patients);
        if (pairProbabilities.Count != table.Count)
        {
            throw new ArgumentException(
                $"{pairProbabilities.Count} probabilities for {table.Count} pairs; give one per row of the table.", nameof(pairProbabilities));
        }

        if (!(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentException($"The threshold is {threshold}; it must be in [0, 1].", nameof(threshold));
        }

        var sums = new Dictionary<string, (double Weighted, long Area, int Pairs)>(StringComparer.Ordinal);
        for (var i = 0; i < table.Count; i++)
        {
            var p = pairProbabilities[i];
            if (!(p >= 0 && p <= 1))
            {
                throw new ArgumentException(
                    $"The probability of pair '{table.PairKeys[i]}' (row {i}) is {p}; probabilities must be in [0, 1].", nameof(pairProbabilities));
            }

            var area = table.RoiAreas[i];
            sums.TryGetValue(table.PatientKeys[i], out var s);
            sums[table.PatientKeys[i]] = (s.Weighted + area * p, s.Area + area, s.Pairs + 1);
        }

        var result = new List<PatientResponse>();
        foreach (var patient in patients)
        {
            if (!sums.TryGetValue(patient, out var s))
            {
                throw new ArgumentException(
                    $"Patient '{patient}' has no pairs in the table; a therapy response score needs at least one pair.", nameof(patients));
            }

            var trs = Math.Clamp(s.Weighted / s.Area, 0.0, 1.0);
            result.Add(new PatientResponse(patient, trs, trs >= threshold, threshold, s.Pairs, s.Area));
        }

        return result;
    }
}
