using System.Security.Cryptography;
using Derby.Application.Common;

namespace Derby.Infrastructure.Files;

/// <summary>Uploaded import files under {data}/imports, named by SHA-256, written to a temporary name then renamed.</summary>
internal sealed class ImportFileStore(DerbyOptionsAccessor options) : IImportFileStore
{
    private string Folder => Path.Combine(options.Value.DataPath, "imports");

    public async Task<string> SaveAsync(byte[] content, CancellationToken cancellationToken = default)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        Directory.CreateDirectory(Folder);
        var path = PathOf(sha);
        if (File.Exists(path))
        {
            return sha;
        }

        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, content, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return sha;
    }

    public async Task<byte[]> ReadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(PathOf(sha256), cancellationToken);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == sha256
            ? bytes
            : throw new InvalidDataException($"Stored import file {sha256} is corrupt (its content hashes to {actual})");
    }

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(sha256));
        return Task.CompletedTask;
    }

    private string PathOf(string sha256) =>
        sha256.Length == 64 && sha256.All(Uri.IsHexDigit)
            ? Path.Combine(Folder, sha256 + ".csv")
            : throw new ArgumentException("Not a SHA-256 hex digest", nameof(sha256));
}
