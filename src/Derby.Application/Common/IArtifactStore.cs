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
}
