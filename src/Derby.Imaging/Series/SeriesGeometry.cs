namespace Derby.Imaging.Series;

/// <summary>
/// The regular grid of a valid series in patient coordinates (LPS, mm). Voxel (column c, row r, slice k) has its centre at
/// FirstPosition + c·PixelSpacing[1]·Orientation[0..3] + r·PixelSpacing[0]·Orientation[3..6] + k·SliceSpacing·Normal.
/// </summary>
/// <param name="Rows">Rows (0028,0010).</param>
/// <param name="Columns">Columns (0028,0011).</param>
/// <param name="Slices">Number of slices.</param>
/// <param name="PixelSpacing">Pixel Spacing (0028,0030): row spacing (between rows), column spacing (between columns), mm.</param>
/// <param name="SliceSpacing">Distance between slice centres along <see cref="Normal"/> (mean over the series); for a single slice, its Slice Thickness (0018,0050) if present, else Spacing Between Slices (0018,0088), else 0.</param>
/// <param name="Orientation">Image Orientation (Patient) (0020,0037) of the first sorted slice: row direction cosines, then column direction cosines.</param>
/// <param name="Normal">Row direction × column direction, unit length; slices are sorted ascending along it.</param>
/// <param name="FirstPosition">Image Position (Patient) (0020,0032) of the first sorted slice (lowest projection on the normal).</param>
/// <param name="FrameOfReferenceUid">Frame of Reference UID (0020,0052) shared by all slices; null when none has one.</param>
public sealed record SeriesGeometry(
    int Rows,
    int Columns,
    int Slices,
    double[] PixelSpacing,
    double SliceSpacing,
    double[] Orientation,
    double[] Normal,
    double[] FirstPosition,
    string? FrameOfReferenceUid);
