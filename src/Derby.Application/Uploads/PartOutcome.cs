namespace Derby.Application.Uploads;

/// <summary>What one part produced.</summary>
/// <param name="RelativePath">The part's path as the client sent it.</param>
/// <param name="Kind">File or expanded archive.</param>
/// <param name="BytesReceived">Bytes read from the part.</param>
/// <param name="FilesStaged">Files written (1 for a plain file; the file entries for an archive).</param>
/// <param name="BytesStaged">Bytes written for those files.</param>
public sealed record PartOutcome(string RelativePath, UploadPartKind Kind, long BytesReceived, int FilesStaged, long BytesStaged);
