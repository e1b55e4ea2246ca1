namespace Derby.Statistics;

/// <summary>Which way scores point. pROC's <c>direction = "auto"</c> is deliberately absent: it flips bad models.</summary>
public enum RocDirection
{
    /// <summary>Controls score lower than cases: higher scores go with label 1 (pROC <c>direction = "&lt;"</c>). The default.</summary>
    ControlsLower,

    /// <summary>Controls score higher than cases (pROC <c>direction = "&gt;"</c>).</summary>
    ControlsHigher,
}
