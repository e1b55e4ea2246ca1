using System.Security.Cryptography;
using Derby.Application.Common;

namespace Derby.Infrastructure.Files;

/// <summary>{data}/dicom/ab/cd/abcd….dcm: two levels of fan-out keep folders small; written to a temporary name, then renamed.</summary>
public sealed class DicomStore(DerbyOptionsAccessor options) : IDicomStore
{
    /// <summary>Folder of <see cref="CreateScratchFolder"/>'s folders, beside the store so copies never cross volumes.</summary>
    public const string ScratchFolder = "dicom-scratch";

    private string Root => Path.Combine(options.Value.DataPath, "dicom");

    public async Task<(string Sha256, long Size)> PutAsync(string sourcePath, CancellationToken cancellationToken = default)
    {
        string sha;
        long size;
        await using (var source = File.OpenRead(sourcePath))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(source, cancellationToken));
            size = source.Length;
        }

        var target = PathOf(sha);
        if (File.Exists(target))
        {
            return (sha, size);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.Copy(sourcePath, temp);
        File.Move(temp, target, overwrite: true);
        return (sha, size);
    }

    public string CreateScratchFolder() =>
        Directory.CreateDirectory(Path.Combine(options.Value.DataPath, ScratchFolder, Guid.NewGuid().ToString("N"))).FullName;

    public string PathOf(string sha256) =>
        sha256.Length == 64 && sha256.All(Uri.IsHexDigit)
            ? Path.Combine(Root, sha256[..2], sha256[2..4], sha256 + ".dcm")
            : throw new ArgumentException("Not a SHA-256 hex digest", nameof(sha256));
}
