namespace Derby.Learning.Forest;

/// <summary>
/// Settings of <see cref="PairForest"/> (ML.NET's <c>FastForest</c> binary trainer, ADR 0017). Defaults suit ~1e3–1e5
/// pair rows × 10–40 features. The scikit-learn equivalents, for comparison with the paper's random forest:
/// <see cref="Trees"/> = <c>n_estimators</c>, <see cref="MaximumLeaves"/> = <c>max_leaf_nodes</c> (trees grow best-first,
/// so there is no depth limit), <see cref="MinimumExamplesPerLeaf"/> = <c>min_samples_leaf</c>,
/// <see cref="FeatureFractionPerSplit"/> × columns ≈ <c>max_features</c>, <see cref="BaggingFraction"/> ≈ <c>max_samples</c>.
/// </summary>
public sealed record RandomForestOptions
{
    /// <summary>Number of trees (default 300).</summary>
    public int Trees { get; init; } = 300;

    /// <summary>Most leaves per tree (default 64); FastForest grows each tree leaf-wise to this many leaves.</summary>
    public int MaximumLeaves { get; init; } = 64;

    /// <summary>Fewest training examples in a leaf (default 5).</summary>
    public int MinimumExamplesPerLeaf { get; init; } = 5;

    /// <summary>
    /// The fraction of the features drawn at random as split candidates at each split (each feature is kept with this
    /// probability, so the count varies around fraction × columns). Null (the default): 1/√columns, the random-forest
    /// rule (scikit-learn's <c>max_features="sqrt"</c>, the paper's likely setting). This is the setting where FastForest
    /// and scikit-learn differ most in held-out AUC, in a direction that depends on the data (ADR 0017,
    /// docs/performance-forest.md): tune it by cross-validation. FastForest also has a per-tree fraction
    /// (<c>FeatureFraction</c>); it is fixed at 1 here: a random forest samples features per split.
    /// </summary>
    public double? FeatureFractionPerSplit { get; init; }

    /// <summary>The fraction of the training rows each tree is grown on (drawn without replacement; default 0.7).</summary>
    public double BaggingFraction { get; init; } = 0.7;

    /// <summary>Most histogram bins per feature (default 255): FastForest bins every feature before training.</summary>
    public int MaximumBinsPerFeature { get; init; } = 255;

    /// <summary>The random seed (default 1): the same data, options and seed give the same forest.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Training threads; null (the default): all cores.</summary>
    public int? Threads { get; init; }

    /// <summary>The per-split feature fraction used for a table of <paramref name="columns"/> columns.</summary>
    public double EffectiveFeatureFractionPerSplit(int columns) =>
        FeatureFractionPerSplit ?? Math.Min(1.0, 1.0 / Math.Sqrt(Math.Max(1, columns)));

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentException">Which setting is wrong and why.</exception>
    public void Validate()
    {
        if (Trees < 1)
        {
            throw new ArgumentException($"Trees is {Trees}; a forest needs at least one tree.", nameof(Trees));
        }

        if (MaximumLeaves < 2)
        {
            throw new ArgumentException($"MaximumLeaves is {MaximumLeaves}; a tree needs at least 2 leaves.", nameof(MaximumLeaves));
        }

        if (MinimumExamplesPerLeaf < 1)
        {
            throw new ArgumentException($"MinimumExamplesPerLeaf is {MinimumExamplesPerLeaf}; it must be at least 1.", nameof(MinimumExamplesPerLeaf));
        }

        if (FeatureFractionPerSplit is { } f && !(f > 0 && f <= 1))
        {
            throw new ArgumentException($"FeatureFractionPerSplit is {f}; it must be in (0, 1].", nameof(FeatureFractionPerSplit));
        }

        if (!(BaggingFraction > 0 && BaggingFraction <= 1))
        {
            throw new ArgumentException($"BaggingFraction is {BaggingFraction}; it must be in (0, 1].", nameof(BaggingFraction));
        }

        if (MaximumBinsPerFeature < 2)
        {
            throw new ArgumentException($"MaximumBinsPerFeature is {MaximumBinsPerFeature}; it must be at least 2.", nameof(MaximumBinsPerFeature));
        }

        if (Threads is < 1)
        {
            throw new ArgumentException($"Threads is {Threads}; it must be at least 1 (or null for all cores).", nameof(Threads));
        }
    }
}
