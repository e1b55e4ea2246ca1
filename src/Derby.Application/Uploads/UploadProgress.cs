namespace Derby.Application.Uploads;

/// <summary>How far an upload has got.</summary>
/// <param name="BytesReceived">Bytes read from the parts so far (archives as sent, not expanded).</param>
/// <param name="TotalBytes">The sum of the parts' declared lengths when every part declared one; otherwise null.</param>
/// <param name="FilesDone">Files staged so far, archive entries included.</param>
/// <param name="PartsDone">Parts finished so far.</param>
/// <param name="TotalParts">Parts in the upload.</param>
/// <param name="CurrentPath">The part or archive entry being written, if any.</param>
public sealed record UploadProgress(long BytesReceived, long? TotalBytes, int FilesDone, int PartsDone, int TotalParts, string? CurrentPath);
