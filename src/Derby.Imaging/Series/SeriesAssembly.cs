namespace Derby.Imaging.Series;

/// <summary>
/// One series as assembled from its files. A series with any problem is refused as a whole: <see cref="Geometry"/> is
/// null and <see cref="Problems"/> says why, one sentence per problem, for the person who sent the files.
/// </summary>
/// <param name="SeriesInstanceUid">Series Instance UID (0020,000E); empty for files that have none.</param>
/// <param name="Modality">Modality (0008,0060) of the first file that has one.</param>
/// <param name="Slices">The files sorted ascending along the slice normal (by the projection of Image Position (Patient)); in input order when positions are missing.</param>
/// <param name="Geometry">The series' grid; null unless <see cref="IsValid"/>.</param>
/// <param name="Problems">Why the series is refused; empty when it is valid.</param>
public sealed record SeriesAssembly(
    string SeriesInstanceUid,
    string? Modality,
    IReadOnlyList<SliceSource> Slices,
    SeriesGeometry? Geometry,
    IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
