using System.Globalization;
using System.Text;
using Derby.Learning.Forest;

namespace Derby.Learning.Tests.Forest;

/// <summary>A generated pair table with a known signal, shared by the forest tests.</summary>
internal sealed record ForestData(PairTable Table, Dictionary<string, bool> Responders)
{
    /// <summary>The features that carry the signal (logistic weights), out of <c>columns</c>.</summary>
    public static readonly double[] SignalWeights = [2.0, -1.5, 1.2, 1.0, -0.8];

    /// <summary>
    /// <paramref name="patients"/> patients with 4–12 pairs each. A patient has a latent vector z (standard normal, one
    /// per feature); responder with probability logistic(Σ_k w_k z_k) over the first 5 features; each pair's features are
    /// z plus N(0, 0.5²) noise; ROI areas 20–800 voxels.
    /// </summary>
    public static ForestData Generate(int patients, int columns, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, columns).Select(j => $"f{j}").ToArray();
        var rows = new List<PairRow>();
        var responders = new Dictionary<string, bool>();
        for (var p = 0; p < patients; p++)
        {
            var key = $"P{p:D4}";
            var z = Enumerable.Range(0, columns).Select(_ => Normal(random)).ToArray();
            var eta = SignalWeights.Take(columns).Select((w, k) => w * z[k]).Sum();
            responders[key] = random.NextDouble() < 1 / (1 + Math.Exp(-eta));
            var pairs = random.Next(4, 13);
            for (var q = 0; q < pairs; q++)
            {
                var features = z.Select(v => (float)(v + 0.5 * Normal(random))).ToArray();
                rows.Add(new PairRow(key, $"{key}-{q}", random.Next(20, 801), features));
            }
        }

        return new ForestData(PairTable.Create(names, rows), responders);
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Writes patient,pair,area,label,features as CSV (the format of the python peers).</summary>
    public static void WriteCsv(string path, PairTable table, IReadOnlyDictionary<string, bool> responders)
    {
        var text = new StringBuilder();
        text.Append("patient,pair,area,label,").AppendJoin(',', table.Columns).Append('\n');
        for (var i = 0; i < table.Count; i++)
        {
            text.Append(table.PatientKeys[i]).Append(',').Append(table.PairKeys[i]).Append(',')
                .Append(table.RoiAreas[i].ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(responders[table.PatientKeys[i]] ? '1' : '0');
            foreach (var v in table.Features(i))
            {
                text.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>The area under the ROC curve (Mann–Whitney, ties count one half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        double positives = labels.Count(l => l), negatives = labels.Count - positives, wins = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            if (!labels[i])
            {
                continue;
            }

            for (var j = 0; j < scores.Count; j++)
            {
                if (!labels[j])
                {
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return wins / (positives * negatives);
    }
}
