namespace Derby.Application.Common;

/// <summary>
/// Derived files the pipeline keeps (2.5D pair sets, later features and model artefacts), stored once each under their
/// SHA-256 per kind: storing the same bytes again changes nothing, and a file's name is its integrity check.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Writes the bytes (atomically) unless they are already stored; returns their SHA-256 and size.</summary>
    Task<(string Sha256, long Size)> PutAsync(string kind, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The stored file's path.</summary>
    string PathOf(string kind, string sha256);

    /// <summary>A stored file's bytes, checked against the SHA-256 they are stored under.</summary>
    /// <exception cref="InvalidDataException">The bytes do not match: the store was altered.</exception>
    async Task<byte[]> ReadAsync(string kind, string sha256, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(PathOf(kind, sha256), cancellationToken);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) == sha256 ? bytes
            : throw new InvalidDataException($"The {kind} artefact {sha256} does not match its SHA-256: the store was altered");
    }
}
