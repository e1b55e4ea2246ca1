using System.Security.Cryptography;
using Derby.Application.Common;

namespace Derby.Infrastructure.Files;

/// <summary>{data}/store/{kind}/ab/cd/abcd…: written to a temporary name, then renamed, so a reader never sees half a file.</summary>
internal sealed class ArtifactStore(DerbyOptionsAccessor options) : IArtifactStore
{
    public async Task<(string Sha256, long Size)> PutAsync(string kind, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var target = PathOf(kind, sha);
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temp, content.ToArray(), cancellationToken);
            File.Move(temp, target, overwrite: true);
        }

        return (sha, content.Length);
    }

    public string PathOf(string kind, string sha256)
    {
        if (string.IsNullOrEmpty(kind) || !kind.All(c => c is >= 'a' and <= 'z' or '-'))
        {
            throw new ArgumentException("An artefact kind is lower-case letters and dashes", nameof(kind));
        }

        return sha256.Length == 64 && sha256.All(Uri.IsHexDigit)
            ? Path.Combine(options.Value.DataPath, "store", kind, sha256[..2], sha256[2..4], sha256)
            : throw new ArgumentException("Not a SHA-256 hex digest", nameof(sha256));
    }
}
