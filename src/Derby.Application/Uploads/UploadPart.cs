namespace Derby.Application.Uploads;

/// <summary>One file as the browser sent it.</summary>
/// <param name="RelativePath">The name, with sub-folders for a folder upload ("study/PET/IM0001.dcm"). Untrusted.</param>
/// <param name="Open">Opens the content; called once, the stream is read forward only and disposed.</param>
/// <param name="DeclaredLength">The length the client announced, if any. Used only to refuse early and for progress; never trusted.</param>
public sealed record UploadPart(string RelativePath, Func<Stream> Open, long? DeclaredLength = null);
