namespace Derby.Application.Uploads;

/// <summary>A file written to the staging folder.</summary>
/// <param name="RelativePath">Normalised path under the upload's files folder, '/'-separated; an archive's entries sit under the archive's name without ".zip".</param>
/// <param name="FullPath">Where it is on disk.</param>
/// <param name="Size">Bytes written (counted, not declared).</param>
/// <param name="Sha256">SHA-256 of those bytes, lowercase hex, computed while streaming.</param>
/// <param name="SourcePart">The part it came from, as the client named it.</param>
public sealed record StagedFile(string RelativePath, string FullPath, long Size, string Sha256, string SourcePart);
