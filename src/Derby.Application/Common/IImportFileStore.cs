namespace Derby.Application.Common;

/// <summary>Keeps uploaded import files, named by their SHA-256, until the import job has read them.</summary>
public interface IImportFileStore
{
    /// <summary>Stores the bytes (atomically; storing the same content twice is a no-op) and returns their SHA-256 in hex.</summary>
    Task<string> SaveAsync(byte[] content, CancellationToken cancellationToken = default);

    Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Removes a file no run needs any more (a refused file must not stay on disk); a missing file is not an error.</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken = default);
}
