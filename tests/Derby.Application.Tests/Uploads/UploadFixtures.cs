using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Derby.Application.Uploads;

namespace Derby.Application.Tests.Uploads;

/// <summary>Builds parts and archives, benign and hostile, in memory; raw byte patches for the lies ZipArchive will not write.</summary>
internal static class UploadFixtures
{
    /// <summary>st_mode of a symbolic link (S_IFLNK | 0777), as Info-ZIP stores it in the high 16 bits.</summary>
    public const int SymlinkAttributes = unchecked((int)(0xA1FFu << 16));

    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static UploadPart Part(string path, byte[] data, long? declared = null) =>
        new(path, () => new MemoryStream(data, writable: false), declared ?? data.Length);

    public static byte[] Zip(params (string Name, byte[] Data)[] entries) =>
        Zip(entries.Select(e => new ZipItem(e.Name, e.Data)).ToArray());

    public static byte[] Zip(params ZipItem[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var item in entries)
            {
                var entry = archive.CreateEntry(item.Name, item.Level);
                if (item.ExternalAttributes is { } attributes)
                {
                    entry.ExternalAttributes = attributes;
                }

                using var stream = entry.Open();
                stream.Write(item.Data);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Overwrites the uncompressed size of every central directory record (offset 24), leaving the local headers alone.</summary>
    public static byte[] PatchCentralDirectoryUncompressedSize(byte[] zip, uint size)
    {
        var patched = (byte[])zip.Clone();
        var found = 0;
        for (var i = 0; i + 46 <= patched.Length; i++)
        {
            if (BitConverter.ToUInt32(patched, i) == 0x02014b50)
            {
                BitConverter.GetBytes(size).CopyTo(patched, i + 24);
                found++;
            }
        }

        Assert.True(found > 0, "no central directory record found to patch");
        return patched;
    }

    /// <summary>Zip's CRC-32, bit by bit (independent of the library's table).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>Overwrites the CRC-32 of every central directory record (offset 16).</summary>
    public static byte[] PatchCentralDirectoryCrc(byte[] zip, uint crc)
    {
        var patched = (byte[])zip.Clone();
        for (var i = 0; i + 46 <= patched.Length; i++)
        {
            if (BitConverter.ToUInt32(patched, i) == 0x02014b50)
            {
                BitConverter.GetBytes(crc).CopyTo(patched, i + 16);
            }
        }

        return patched;
    }

    /// <summary>Overwrites a 16-bit field of every central directory record (8: flags, 10: compression method).</summary>
    public static byte[] PatchCentralDirectoryField(byte[] zip, int offset, ushort value)
    {
        var patched = (byte[])zip.Clone();
        for (var i = 0; i + 46 <= patched.Length; i++)
        {
            if (BitConverter.ToUInt32(patched, i) == 0x02014b50)
            {
                BitConverter.GetBytes(value).CopyTo(patched, i + offset);
            }
        }

        return patched;
    }

    /// <summary>Overwrites both entry counts of the end of central directory record.</summary>
    public static byte[] PatchEndRecordEntryCount(byte[] zip, ushort count)
    {
        var patched = (byte[])zip.Clone();
        for (var i = patched.Length - 22; i >= 0; i--)
        {
            if (BitConverter.ToUInt32(patched, i) == 0x06054b50)
            {
                BitConverter.GetBytes(count).CopyTo(patched, i + 8);
                BitConverter.GetBytes(count).CopyTo(patched, i + 10);
                return patched;
            }
        }

        throw new InvalidOperationException("no end of central directory record");
    }

    public static bool IsEmpty(string directory) =>
        !Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any();
}

/// <summary>One entry for <see cref="UploadFixtures.Zip(ZipItem[])"/>.</summary>
internal sealed record ZipItem(string Name, byte[] Data, int? ExternalAttributes = null, CompressionLevel Level = CompressionLevel.Optimal);

/// <summary>A fresh staging root per test, deleted afterwards.</summary>
internal sealed class StagingRoot : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "derby-upload-tests", Guid.NewGuid().ToString("N"));

    public StagingRoot() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
internal sealed class RecordingProgress : IProgress<UploadProgress>
{
    public List<UploadProgress> Reports { get; } = [];

    public void Report(UploadProgress value) => Reports.Add(value);
}
