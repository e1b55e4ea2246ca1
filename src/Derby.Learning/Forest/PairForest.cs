using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Derby.Learning.Forest;

/// <summary>
/// DERBY's random forest over 2.5D pairs: ML.NET's <c>FastForest</c> binary trainer (ADR 0017) trained on one row per
/// pair, each pair carrying its patient's responder label. <see cref="PredictPairs"/> gives each pair's probability of
/// response: the mean over the trees of the responder fraction in the leaf the pair falls in (the random-forest vote,
/// as scikit-learn's <c>predict_proba</c>). ML.NET 5's FastForest has no calibrated "Probability" column; its raw score
/// is the sum over the trees of the leaf means of ±1 labels, so the probability is (score / trees + 1) / 2, in [0, 1].
/// Deterministic: the same table, labels, options and seed give bit-identical probabilities, before and after
/// <see cref="Save"/>/<see cref="Load"/>, and the same saved bytes (so the same SHA-256).
/// </summary>
public sealed class PairForest
{
    private const string Magic = "DERBYRF1";
    private const string FeaturesColumn = "Features";
    private const string LabelColumn = "Label";
    private const string ScoreColumn = "Score";
    private static readonly DateTimeOffset FixedEntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly MLContext context;
    private readonly ITransformer model;
    private readonly string[] columns;
    private readonly FlatTrees trees;
    private byte[]? saved;

    private PairForest(MLContext context, ITransformer model, string[] columns, RandomForestOptions options)
    {
        this.context = context;
        this.model = model;
        this.columns = columns;
        var parameters = model is BinaryPredictionTransformer<FastForestBinaryModelParameters> binary
            ? binary.Model
            : throw new InvalidDataException($"The saved model is a {model.GetType().Name}, not a FastForest binary classifier.");
        trees = FlatTrees.From(parameters.TrainedTreeEnsemble);
        TreeCount = trees.Count;
        Options = options;
    }

    /// <summary>The feature columns the forest was trained on, in order; a table to predict must have exactly these.</summary>
    public IReadOnlyList<string> Columns => columns;

    /// <summary>The number of trees in the trained ensemble.</summary>
    public int TreeCount { get; }

    /// <summary>The options the forest was trained with.</summary>
    public RandomForestOptions Options { get; }

    /// <summary>The SHA-256 (lower-case hex) of the bytes <see cref="Save"/> writes.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Serialize()));

    /// <summary>Trains a forest on every pair of <paramref name="table"/>; each pair takes its patient's label.</summary>
    /// <param name="table">The training pairs.</param>
    /// <param name="responderByPatient">Responder (true) or not, for every patient in the table (extra patients are ignored).</param>
    /// <param name="options">Forest settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">A patient has no label, only one class is present, or an option is out of range.</exception>
    public static PairForest Train(PairTable table, IReadOnlyDictionary<string, bool> responderByPatient, RandomForestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(responderByPatient);
        options ??= new RandomForestOptions();
        options.Validate();
        var missing = table.Patients.Where(p => !responderByPatient.ContainsKey(p)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"{missing.Length} patient(s) in the table have no responder label: {string.Join(", ", missing.Take(5))}{(missing.Length > 5 ? ", ..." : "")}.",
                nameof(responderByPatient));
        }

        var labels = new bool[table.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = responderByPatient[table.PatientKeys[i]];
        }

        if (labels.All(l => l) || labels.All(l => !l))
        {
            throw new ArgumentException(
                $"Every training pair is a {(labels[0] ? "responder" : "non-responder")}; a forest needs both classes.", nameof(responderByPatient));
        }

        // A tree's first split needs two leaves of the minimum size in the rows it samples. Below that FastForest keeps
        // no tree and the forest would score every pair NaN (0 / 0 trees): refuse here, saying why.
        var sampled = (int)(table.Count * options.BaggingFraction);
        if (sampled < 2 * options.MinimumExamplesPerLeaf)
        {
            throw new ArgumentException(
                $"At least {options.MinimumExamplesPerLeaf} pairs per leaf cannot be met: each tree samples {sampled} of the {table.Count} pairs " +
                $"(bagging fraction {options.BaggingFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}), and a split needs {2 * options.MinimumExamplesPerLeaf}. " +
                "Lower the pairs per leaf or train on more pairs.", nameof(options));
        }

        var context = new MLContext(options.Seed);
        var data = ToDataView(context, table, labels);
        var trainer = context.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.MaximumLeaves,
            MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
            FeatureFraction = 1.0,
            FeatureFractionPerSplit = options.EffectiveFeatureFractionPerSplit(table.ColumnCount),
            BaggingSize = 1,
            BaggingExampleFraction = options.BaggingFraction,
            MaximumBinCountPerFeature = options.MaximumBinsPerFeature,
            Seed = options.Seed,
            NumberOfThreads = options.Threads,
        });
        var transformer = trainer.Fit(data);
        var forest = new PairForest(context, transformer, table.Columns.ToArray(), options);
        if (forest.TreeCount == 0)
        {
            throw new ArgumentException(
                $"No tree of the forest could be split (at least {options.MinimumExamplesPerLeaf} pairs per leaf, {table.Count} pairs, features constant or too few distinct values?).",
                nameof(table));
        }

        return forest;
    }

    /// <summary>
    /// Each pair's probability of response, in table order, in [0, 1]. The trees are walked directly (the same rule as
    /// ML.NET's scorer: left when value ≤ threshold), rows in parallel on <see cref="RandomForestOptions.Threads"/>
    /// threads; each row's trees are summed in a fixed order, so the result does not depend on the thread count.
    /// </summary>
    /// <exception cref="ArgumentException">The table's columns are not the forest's (names and order).</exception>
    public double[] PredictPairs(PairTable table)
    {
        CheckColumns(table);
        var probabilities = new double[table.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.Threads ?? -1 };
        const int Chunk = 256;
        Parallel.For(0, (table.Count + Chunk - 1) / Chunk, parallel, c =>
        {
            var end = Math.Min(table.Count, (c + 1) * Chunk);
            for (var i = c * Chunk; i < end; i++)
            {
                probabilities[i] = Math.Clamp((trees.Score(table.Features(i)) / TreeCount + 1.0) / 2.0, 0.0, 1.0);
            }
        });
        return probabilities;
    }

    /// <summary>ML.NET's own raw scores (its scorer over an IDataView), to check the direct tree walk against.</summary>
    internal float[] MlNetScores(PairTable table)
    {
        CheckColumns(table);
        return model.Transform(ToDataView(context, table, null)).GetColumn<float>(ScoreColumn).ToArray();
    }

    private void CheckColumns(PairTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.Columns.SequenceEqual(columns, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The table's columns ({string.Join(", ", table.Columns)}) are not the forest's ({string.Join(", ", columns)}); project it with SelectColumns.",
                nameof(table));
        }
    }

    /// <summary>Each patient's therapy response score from the pairs of <paramref name="table"/> (<see cref="TherapyResponseScore"/>).</summary>
    public IReadOnlyList<PatientResponse> ScorePatients(PairTable table, double threshold = TherapyResponseScore.DefaultThreshold) =>
        TherapyResponseScore.Compute(table, PredictPairs(table), threshold);

    /// <summary>Writes the trained forest (Derby header + ML.NET model) and returns the SHA-256 (lower-case hex) of the bytes written.</summary>
    public string Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = Serialize();
        stream.Write(bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads a forest written by <see cref="Save"/>.</summary>
    /// <param name="stream">The saved bytes (read to the end).</param>
    /// <param name="expectedSha256">The registered hash (hex, any case); null to load without checking.</param>
    /// <exception cref="InvalidDataException">The bytes do not hash to <paramref name="expectedSha256"/>, or are not a saved forest.</exception>
    public static PairForest Load(Stream stream, string? expectedSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (expectedSha256 is not null && !string.Equals(actual, expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"The model's SHA-256 is {actual}, not the registered {expectedSha256.Trim().ToLowerInvariant()}: these bytes are not the frozen model; refusing to load them.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
            {
                throw new InvalidDataException("Not a Derby pair forest (bad magic).");
            }

            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(reader.ReadInt32()))
                ?? throw new InvalidDataException("The pair forest's header is empty.");
            var modelBytes = reader.ReadBytes(reader.ReadInt32());
            var context = new MLContext(header.Options.Seed);
            var model = context.Model.Load(new MemoryStream(modelBytes), out _);
            var forest = new PairForest(context, model, header.Columns, header.Options);
            if (forest.TreeCount != header.Trees)
            {
                throw new InvalidDataException($"The header counts {header.Trees} trees; the model has {forest.TreeCount}.");
            }

            forest.saved = bytes;
            return forest;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or FormatException)
        {
            throw new InvalidDataException($"Not a readable Derby pair forest: {e.Message}", e);
        }
    }

    private byte[] Serialize()
    {
        if (saved is not null)
        {
            return saved;
        }

        using var raw = new MemoryStream();
        context.Model.Save(model, null, raw);
        var modelBytes = Normalize(raw.ToArray());
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(columns, TreeCount, Options));
        using var output = new MemoryStream();
        using (var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(header.Length);
            writer.Write(header);
            writer.Write(modelBytes.Length);
            writer.Write(modelBytes);
        }

        saved = output.ToArray();
        return saved;
    }

    // ML.NET's model is a zip whose entries carry the time of saving: rewritten with a fixed time, the same forest
    // always gives the same bytes (and so the same hash).
    private static byte[] Normalize(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = FixedEntryTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    private static IDataView ToDataView(MLContext context, PairTable table, bool[]? labels)
    {
        var d = table.ColumnCount;
        var examples = new Example[table.Count];
        for (var i = 0; i < examples.Length; i++)
        {
            examples[i] = new Example { Features = table.Features(i).ToArray(), Label = labels?[i] ?? false };
        }

        var schema = SchemaDefinition.Create(typeof(Example));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        return context.Data.LoadFromEnumerable(examples, schema);
    }

    /// <summary>The ensemble as flat arrays: node n splits on Feature[n] at Threshold[n]; a child &lt; 0 is leaf ~child.</summary>
    private sealed class FlatTrees
    {
        private readonly int[] roots;
        private readonly int[] feature;
        private readonly float[] threshold;
        private readonly int[] left;
        private readonly int[] right;
        private readonly double[] leafValue;
        private readonly double[] weight;
        private readonly double bias;

        private FlatTrees(int[] roots, int[] feature, float[] threshold, int[] left, int[] right, double[] leafValue, double[] weight, double bias)
        {
            this.roots = roots;
            this.feature = feature;
            this.threshold = threshold;
            this.left = left;
            this.right = right;
            this.leafValue = leafValue;
            this.weight = weight;
            this.bias = bias;
        }

        public int Count => roots.Length;

        public static FlatTrees From<TTree>(TreeEnsemble<TTree> ensemble)
            where TTree : RegressionTreeBase
        {
            var roots = new List<int>();
            var feature = new List<int>();
            var threshold = new List<float>();
            var left = new List<int>();
            var right = new List<int>();
            var leafValue = new List<double>();
            foreach (var tree in ensemble.Trees)
            {
                if (tree.CategoricalSplitFlags.Any(f => f))
                {
                    throw new InvalidDataException("The forest has categorical splits; a pair forest has numeric features only.");
                }

                var nodeOffset = feature.Count;
                var leafOffset = leafValue.Count;
                int Map(int child) => child >= 0 ? child + nodeOffset : ~(~child + leafOffset);

                // A tree of one leaf has no split nodes: its root is that leaf.
                roots.Add(tree.NumberOfNodes == 0 ? ~leafOffset : nodeOffset);
                for (var n = 0; n < tree.NumberOfNodes; n++)
                {
                    feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                    threshold.Add(tree.NumericalSplitThresholds[n]);
                    left.Add(Map(tree.LeftChild[n]));
                    right.Add(Map(tree.RightChild[n]));
                }

                leafValue.AddRange(tree.LeafValues);
            }

            return new FlatTrees(roots.ToArray(), feature.ToArray(), threshold.ToArray(), left.ToArray(), right.ToArray(),
                leafValue.ToArray(), ensemble.TreeWeights.ToArray(), ensemble.Bias);
        }

        public double Score(ReadOnlySpan<float> x)
        {
            var sum = bias;
            for (var t = 0; t < roots.Length; t++)
            {
                var node = roots[t];
                while (node >= 0)
                {
                    node = x[feature[node]] <= threshold[node] ? left[node] : right[node];
                }

                sum += weight[t] * leafValue[~node];
            }

            return sum;
        }
    }

    private sealed record Header(string[] Columns, int Trees, RandomForestOptions Options);

    private sealed class Example
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
