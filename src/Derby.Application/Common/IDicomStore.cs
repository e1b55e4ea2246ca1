namespace Derby.Application.Common;

/// <summary>Accepted DICOM files, stored once each under their SHA-256 (content-addressed): storing the same file again changes nothing.</summary>
public interface IDicomStore
{
    /// <summary>Copies the file into the store (atomically) unless its content is already there; returns its SHA-256 and size.</summary>
    Task<(string Sha256, long Size)> PutAsync(string sourcePath, CancellationToken cancellationToken = default);

    /// <summary>The stored file's path, for reading it back.</summary>
    string PathOf(string sha256);

    /// <summary>
    /// A new, empty private folder on the store's own volume for copies made on the way in (scrubbed files); the caller
    /// deletes it when done. Never shared with another upload or another Derby instance.
    /// </summary>
    string CreateScratchFolder();
}
