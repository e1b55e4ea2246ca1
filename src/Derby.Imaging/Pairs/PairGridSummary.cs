using Derby.Imaging.Series;

namespace Derby.Imaging.Pairs;

/// <summary>The grid a pair set was cut from (PET or CT), as <see cref="SeriesGeometry"/> gave it; kept with the pairs for provenance.</summary>
/// <param name="Rows">Rows.</param>
/// <param name="Columns">Columns.</param>
/// <param name="Slices">Slices.</param>
/// <param name="PixelSpacing">Row spacing, column spacing (mm).</param>
/// <param name="SliceSpacing">Distance between slice centres (mm).</param>
/// <param name="Orientation">Row then column direction cosines.</param>
/// <param name="FirstPosition">Centre of the first voxel (LPS, mm).</param>
/// <param name="FrameOfReferenceUid">Frame of Reference UID, if any.</param>
public sealed record PairGridSummary(
    int Rows,
    int Columns,
    int Slices,
    double[] PixelSpacing,
    double SliceSpacing,
    double[] Orientation,
    double[] FirstPosition,
    string? FrameOfReferenceUid)
{
    /// <summary>The summary of <paramref name="g"/> (arrays copied).</summary>
    public static PairGridSummary From(SeriesGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new(g.Rows, g.Columns, g.Slices, [.. g.PixelSpacing], g.SliceSpacing, [.. g.Orientation], [.. g.FirstPosition], g.FrameOfReferenceUid);
    }

    /// <summary>Same values, arrays compared element by element (record equality compares array references).</summary>
    public bool SameAs(PairGridSummary other) =>
        other is not null && Rows == other.Rows && Columns == other.Columns && Slices == other.Slices
        && PixelSpacing.SequenceEqual(other.PixelSpacing) && SliceSpacing.Equals(other.SliceSpacing)
        && Orientation.SequenceEqual(other.Orientation) && FirstPosition.SequenceEqual(other.FirstPosition)
        && FrameOfReferenceUid == other.FrameOfReferenceUid;
}
