using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using static System.FormattableString;

namespace Derby.Application.Uploads;

/// <summary>One upload being staged: its counters, the paths it has claimed and the files written so far.</summary>
internal sealed class StagingSession
{
    /// <summary>Bytes per read and write; the most of any one file held in memory at a time.</summary>
    internal const int ChunkSize = 81_920;

    private const long ProgressStep = 1024 * 1024;
    private const string UploadWide = "(upload)";

    private static readonly HashSet<string> ArchiveExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".zip", ".zipx", ".jar", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".xz", ".txz", ".zst", ".cab", ".iso",
    };

    private readonly IReadOnlyList<UploadPart> _parts;
    private readonly UploadLimits _limits;
    private readonly IProgress<UploadProgress>? _progress;
    private readonly PathRegistry _registry = new();
    private readonly List<StagedFile> _files = [];
    private readonly List<IReadOnlyList<string>> _targets = [];
    private readonly List<bool> _isArchive = [];
    private readonly long? _declaredTotal;
    private string _filesRoot = "";
    private long _received;
    private long _staged;
    private long _reportedAt;
    private int _partsDone;

    public StagingSession(IReadOnlyList<UploadPart> parts, UploadLimits limits, IProgress<UploadProgress>? progress)
    {
        _parts = parts;
        _limits = limits;
        _progress = progress;
        _declaredTotal = parts.All(p => p.DeclaredLength is >= 0) ? parts.Sum(p => p.DeclaredLength!.Value) : null;
    }

    private delegate UploadRejection? ChunkCheck(long total, ReadOnlySpan<byte> head);

    /// <summary>Checks every part's name and declared length; throws with all the reasons found.</summary>
    public void CheckUpFront()
    {
        var reasons = new List<UploadRejection>();
        if (_parts.Count == 0)
        {
            reasons.Add(new(UploadWide, null, UploadRule.Empty, "the upload contains no files"));
        }

        long declared = 0;
        foreach (var part in _parts)
        {
            var name = part.RelativePath ?? "";
            var segments = UploadPath.Split(name, out var rule, out var reason);
            var isArchive = segments is not null && segments[^1].EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
            _isArchive.Add(isArchive);
            _targets.Add([]);
            if (segments is null)
            {
                reasons.Add(new(name, null, rule, reason));
                continue;
            }

            // An archive's entries land in a folder named after it: "scans/pet.zip" -> "scans/pet/...".
            var target = isArchive ? [.. segments.SkipLast(1), segments[^1][..^4]] : segments;
            if (target[^1].Length == 0 || target[^1][^1] is '.' or ' ')
            {
                reasons.Add(new(name, null, UploadRule.InvalidPath, "the archive's name without \".zip\" is not a valid folder name"));
                continue;
            }

            if (!UploadPath.WithinLimits(target, _limits, out rule, out reason))
            {
                reasons.Add(new(name, null, rule, reason));
                continue;
            }

            var clash = isArchive ? _registry.ClaimFolder(target) : _registry.ClaimFile(target);
            if (clash is not null)
            {
                reasons.Add(new(name, null, UploadRule.DuplicatePath, clash));
                continue;
            }

            _targets[^1] = target;
            if (!isArchive && part.DeclaredLength > _limits.MaxFileBytes)
            {
                reasons.Add(new(name, null, UploadRule.FileTooLarge, Invariant(
                    $"the file is declared as {part.DeclaredLength:N0} bytes, more than the limit of {_limits.MaxFileBytes:N0} bytes per file")));
            }

            declared += Math.Max(0, part.DeclaredLength ?? 0);
        }

        if (declared > _limits.MaxTotalBytes)
        {
            reasons.Add(new(UploadWide, null, UploadRule.UploadTooLarge, Invariant(
                $"the files are declared as {declared:N0} bytes together, more than the limit of {_limits.MaxTotalBytes:N0} bytes per upload")));
        }

        if (_registry.FileCount > _limits.MaxFiles)
        {
            reasons.Add(new(UploadWide, null, UploadRule.TooManyFiles, Invariant(
                $"the upload has {_registry.FileCount:N0} files, more than the limit of {_limits.MaxFiles:N0}")));
        }

        if (reasons.Count > 0)
        {
            throw new UploadRejectedException(reasons);
        }
    }

    /// <summary>Writes every part under <paramref name="folder"/>; the caller deletes the folder if this throws.</summary>
    public async Task<StagedUpload> RunAsync(string id, string folder, CancellationToken ct)
    {
        _filesRoot = Path.Combine(folder, "files");
        var spool = Path.Combine(folder, "spool");
        CreatePrivateDirectory(_filesRoot);
        CreatePrivateDirectory(spool);

        var outcomes = new List<PartOutcome>(_parts.Count);
        for (var i = 0; i < _parts.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            outcomes.Add(_isArchive[i]
                ? await StageArchiveAsync(_parts[i], _targets[i], Path.Combine(spool, Invariant($"part-{i}.zip")), ct).ConfigureAwait(false)
                : await StageFileAsync(_parts[i], _targets[i], ct).ConfigureAwait(false));
            _partsDone++;
            Report(null, force: true);
        }

        Directory.Delete(spool, recursive: true);
        return new StagedUpload(id, folder, _filesRoot, _files, outcomes);
    }

    private async Task<PartOutcome> StageFileAsync(UploadPart part, IReadOnlyList<string> target, CancellationToken ct)
    {
        var name = part.RelativePath;
        var (relative, full) = PrepareTarget(name, null, target);
        var receivedBefore = _received;
        long size;
        string sha256;
        await using (var source = Open(part))
        {
            (size, sha256) = await WriteAsync(source, full, relative, hash: true, received: true, (total, _) =>
                total > _limits.MaxFileBytes
                    ? new(name, null, UploadRule.FileTooLarge, Invariant(
                        $"the file is larger than the limit of {_limits.MaxFileBytes:N0} bytes per file (stopped after {total:N0} bytes)"))
                    : LimitTotals(name, null, receivedBefore + total, _staged + total),
                ct).ConfigureAwait(false);
        }

        Add(new StagedFile(relative, full, size, sha256, name));
        return new PartOutcome(name, UploadPartKind.File, size, 1, size);
    }

    private async Task<PartOutcome> StageArchiveAsync(UploadPart part, IReadOnlyList<string> folder, string spoolPath, CancellationToken ct)
    {
        var name = part.RelativePath;
        var receivedBefore = _received;
        long received;

        // ZipArchive needs to seek to the central directory, so the archive is spooled to disk first, never to memory.
        await using (var source = Open(part))
        {
            (received, _) = await WriteAsync(source, spoolPath, name, hash: false, received: true,
                (total, _) => LimitTotals(name, null, receivedBefore + total, 0), ct).ConfigureAwait(false);
        }

        var filesBefore = _files.Count;
        var stagedBefore = _staged;
        await using (var stream = new FileStream(spoolPath, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 64 * 1024))
        {
            var census = Census(name, stream);
            if (census.CountedEntries < 0 || census.CountedEntries > _limits.MaxArchiveEntries)
            {
                throw Reject(name, null, UploadRule.TooManyEntries, Invariant(
                    $"the archive has more than {_limits.MaxArchiveEntries:N0} entries, the limit per archive (its directory declares {census.DeclaredEntries:N0})"));
            }

            stream.Position = 0;
            ZipArchive archive;
            try
            {
                archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (InvalidDataException e)
            {
                throw Reject(name, null, UploadRule.CorruptArchive, $"the file is not a readable zip archive ({e.Message})");
            }

            using (archive)
            {
                foreach (var (entry, target) in Plan(name, folder, archive, stream.Length))
                {
                    ct.ThrowIfCancellationRequested();
                    await ExtractAsync(name, entry, target, ct).ConfigureAwait(false);
                }
            }
        }

        File.Delete(spoolPath);
        return new PartOutcome(name, UploadPartKind.ZipArchive, received, _files.Count - filesBefore, _staged - stagedBefore);
    }

    private ZipDirectory.Census Census(string name, FileStream stream)
    {
        try
        {
            // A name is at most MaxPathLength UTF-16 characters, i.e. at most 3 UTF-8 bytes each.
            return ZipDirectory.Count(stream, _limits.MaxArchiveEntries, maxNameBytes: (int)Math.Min(ushort.MaxValue, 3L * _limits.MaxPathLength));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw Reject(name, null, UploadRule.CorruptArchive, $"the file is not a zip archive this server accepts ({e.Message})");
        }
    }

    /// <summary>Checks every entry against the limits from the central directory alone; throws with all the reasons.</summary>
    private List<(ZipArchiveEntry Entry, IReadOnlyList<string> Target)> Plan(
        string name, IReadOnlyList<string> folder, ZipArchive archive, long archiveLength)
    {
        var reasons = new List<UploadRejection>();
        var plan = new List<(ZipArchiveEntry, IReadOnlyList<string>)>();
        if (archive.Entries.Count > _limits.MaxArchiveEntries)
        {
            throw Reject(name, null, UploadRule.TooManyEntries, Invariant(
                $"the archive has {archive.Entries.Count:N0} entries, more than the limit of {_limits.MaxArchiveEntries:N0} per archive"));
        }

        long declaredTotal = 0;
        foreach (var entry in archive.Entries)
        {
            var entryName = entry.FullName;
            void Refuse(UploadRule rule, string message) => reasons.Add(new(name, entryName, rule, message));

            // Unix tools keep st_mode in the high 16 bits of the external attributes; Windows ones set FILE_ATTRIBUTE_REPARSE_POINT (0x400).
            var mode = (entry.ExternalAttributes >> 16) & 0xFFFF;
            var type = mode & 0xF000;
            if (type == 0xA000 || (entry.ExternalAttributes & 0x400) != 0)
            {
                Refuse(UploadRule.SymbolicLink, $"the entry is a symbolic link (mode {Convert.ToString(mode, 8)}); links are not accepted");
                continue;
            }

            if (type is not 0 and not 0x8000 and not 0x4000)
            {
                Refuse(UploadRule.SpecialFile, $"the entry is a device, FIFO or socket (mode {Convert.ToString(mode, 8)}), not a regular file");
                continue;
            }

            var segments = UploadPath.Split(entryName, out var rule, out var reason);
            if (segments is null)
            {
                Refuse(rule, reason);
                continue;
            }

            IReadOnlyList<string> target = [.. folder, .. segments];
            if (!UploadPath.WithinLimits(target, _limits, out rule, out reason))
            {
                Refuse(rule, reason);
                continue;
            }

            if (entry.Length < 0 || entry.CompressedLength < 0)
            {
                Refuse(UploadRule.CorruptArchive, "the entry declares a negative size");
                continue;
            }

            var isFolder = entryName.EndsWith('/') || entryName.EndsWith('\\') || type == 0x4000;
            if (isFolder)
            {
                if (entry.Length > 0)
                {
                    Refuse(UploadRule.CorruptArchive, Invariant($"the folder entry declares {entry.Length:N0} bytes of data"));
                }
                else if (_registry.ClaimFolder(target) is { } folderClash)
                {
                    Refuse(UploadRule.DuplicatePath, folderClash);
                }

                continue;
            }

            if (entry.IsEncrypted)
            {
                Refuse(UploadRule.EncryptedEntry, "the entry is password-protected; upload it unencrypted");
                continue;
            }

            if (ArchiveExtensions.Contains(Path.GetExtension(segments[^1])))
            {
                Refuse(UploadRule.NestedArchive, "archives inside archives are not accepted; upload the inner archive on its own");
                continue;
            }

            if (_registry.ClaimFile(target) is { } clash)
            {
                Refuse(UploadRule.DuplicatePath, clash);
                continue;
            }

            if (entry.Length > _limits.MaxFileBytes)
            {
                Refuse(UploadRule.FileTooLarge, Invariant(
                    $"the entry declares {entry.Length:N0} bytes uncompressed, more than the limit of {_limits.MaxFileBytes:N0} bytes per file"));
            }
            else if (entry.Length >= _limits.RatioCheckMinBytes && entry.Length > entry.CompressedLength * _limits.MaxCompressionRatio)
            {
                Refuse(UploadRule.CompressionRatio, Invariant(
                    $"the entry expands from {entry.CompressedLength:N0} to {entry.Length:N0} bytes ({Ratio(entry.Length, entry.CompressedLength)}), more than the limit of {_limits.MaxCompressionRatio:0.##}:1"));
            }

            declaredTotal += entry.Length;
            plan.Add((entry, target));
        }

        if (_staged + declaredTotal > _limits.MaxTotalBytes)
        {
            reasons.Add(new(name, null, UploadRule.UploadTooLarge, Invariant(
                $"the archive's entries declare {declaredTotal:N0} bytes uncompressed; with the {_staged:N0} bytes already staged that is more than the limit of {_limits.MaxTotalBytes:N0} bytes per upload")));
        }

        if (declaredTotal >= _limits.RatioCheckMinBytes && declaredTotal > archiveLength * _limits.MaxCompressionRatio)
        {
            reasons.Add(new(name, null, UploadRule.CompressionRatio, Invariant(
                $"the archive expands from {archiveLength:N0} to {declaredTotal:N0} bytes ({Ratio(declaredTotal, archiveLength)}), more than the limit of {_limits.MaxCompressionRatio:0.##}:1")));
        }

        if (_registry.FileCount > _limits.MaxFiles)
        {
            reasons.Add(new(name, null, UploadRule.TooManyFiles, Invariant(
                $"the upload has {_registry.FileCount:N0} files with this archive's, more than the limit of {_limits.MaxFiles:N0}")));
        }

        if (reasons.Count > 0)
        {
            throw new UploadRejectedException(reasons);
        }

        return plan;
    }

    /// <summary>Extracts one entry, enforcing again, on the bytes actually produced, what the header promised.</summary>
    private async Task ExtractAsync(string name, ZipArchiveEntry entry, IReadOnlyList<string> target, CancellationToken ct)
    {
        var entryName = entry.FullName;
        var (relative, full) = PrepareTarget(name, entryName, target);
        var declared = entry.Length;
        var compressed = entry.CompressedLength;
        var crc = new Crc32();
        long size;
        string sha256;
        try
        {
            await using var source = entry.Open();
            (size, sha256) = await WriteAsync(source, full, relative, hash: true, received: false, (total, head) =>
            {
                if (total > declared)
                {
                    return new(name, entryName, UploadRule.HeaderMismatch, Invariant(
                        $"the entry expands beyond the {declared:N0} bytes its header declares (stopped after {total:N0} bytes)"));
                }

                if (total > _limits.MaxFileBytes)
                {
                    return new(name, entryName, UploadRule.FileTooLarge, Invariant(
                        $"the entry is larger than the limit of {_limits.MaxFileBytes:N0} bytes per file (stopped after {total:N0} bytes)"));
                }

                if (total >= _limits.RatioCheckMinBytes && total > compressed * _limits.MaxCompressionRatio)
                {
                    return new(name, entryName, UploadRule.CompressionRatio, Invariant(
                        $"the entry expands from {compressed:N0} to more than {total:N0} bytes ({Ratio(total, compressed)}), more than the limit of {_limits.MaxCompressionRatio:0.##}:1"));
                }

                if (ArchiveSignature(head) is { } format)
                {
                    return new(name, entryName, UploadRule.NestedArchive, $"the entry's content is a {format} archive; archives inside archives are not accepted");
                }

                return LimitTotals(name, entryName, _received, _staged + total);
            }, ct, crc).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            // A failed CRC, a corrupt deflate stream or a compression method System.IO.Compression does not read.
            throw Reject(name, entryName, UploadRule.CorruptArchive, $"the entry cannot be read ({e.Message})");
        }

        if (size != declared)
        {
            throw Reject(name, entryName, UploadRule.HeaderMismatch, Invariant(
                $"the entry holds {size:N0} bytes but its header declares {declared:N0}"));
        }

        // System.IO.Compression stops reading at the declared size: an understated size shows up here, not as extra bytes.
        if (crc.Value != entry.Crc32)
        {
            throw Reject(name, entryName, UploadRule.HeaderMismatch, Invariant(
                $"the entry's data does not match its header: CRC-32 {crc.Value:x8}, header {entry.Crc32:x8} (a false size or checksum, or corrupt data)"));
        }

        Add(new StagedFile(relative, full, size, sha256, name));
    }

    /// <summary>The byte limits of the upload as a whole, on counted bytes.</summary>
    private UploadRejection? LimitTotals(string name, string? entry, long received, long staged) =>
        received > _limits.MaxTotalBytes
            ? new(name, entry, UploadRule.UploadTooLarge, Invariant(
                $"the upload is larger than the limit of {_limits.MaxTotalBytes:N0} bytes (stopped after receiving {received:N0} bytes)"))
            : staged > _limits.MaxTotalBytes
                ? new(name, entry, UploadRule.UploadTooLarge, Invariant(
                    $"the upload expands beyond the limit of {_limits.MaxTotalBytes:N0} bytes (stopped after staging {staged:N0} bytes)"))
                : null;

    /// <summary>Streams <paramref name="source"/> into a new file chunk by chunk; <paramref name="check"/> sees each running total before the chunk is written.</summary>
    private async Task<(long Size, string Sha256)> WriteAsync(
        Stream source, string fullPath, string currentPath, bool hash, bool received, ChunkCheck check, CancellationToken ct, Crc32? crc = null)
    {
        using var sha = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var head = new byte[8];
        var headLength = 0;
        try
        {
            await using var target = CreateFile(fullPath);
            long total = 0;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var read = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (headLength < head.Length)
                {
                    var n = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, n).CopyTo(head.AsSpan(headLength));
                    headLength += n;
                }

                if (check(total, head.AsSpan(0, headLength)) is { } rejection)
                {
                    throw new UploadRejectedException([rejection]);
                }

                sha?.AppendData(buffer, 0, read);
                crc?.Append(buffer.AsSpan(0, read));
                await target.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                if (received)
                {
                    _received += read;
                }

                Report(currentPath, force: false);
            }

            return (total, sha is null ? "" : Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Resolves a target under the files folder and creates its parent folders one by one, refusing any that exists as
    /// a link: nothing under the upload's folder is ever reached through a link.
    /// </summary>
    private (string Relative, string Full) PrepareTarget(string name, string? entry, IReadOnlyList<string> target)
    {
        var relative = string.Join('/', target);
        var full = UploadPath.Resolve(_filesRoot, relative)
            ?? throw Reject(name, entry, UploadRule.InvalidPath, "the path resolves outside the upload's folder");

        var current = _filesRoot;
        for (var i = 0; i < target.Count - 1; i++)
        {
            current = Path.Combine(current, target[i]);
            if (Directory.Exists(current) || File.Exists(current))
            {
                if (new FileInfo(current).LinkTarget is not null)
                {
                    throw Reject(name, entry, UploadRule.InvalidPath, $"the folder {UploadRejection.Display(target[i])} on the path is a link");
                }

                if (!Directory.Exists(current))
                {
                    throw Reject(name, entry, UploadRule.DuplicatePath, $"{UploadRejection.Display(target[i])} is a file and cannot also be a folder");
                }

                continue;
            }

            CreatePrivateDirectory(current);
        }

        return (relative, full);
    }

    private void Add(StagedFile file)
    {
        _files.Add(file);
        _staged += file.Size;
    }

    private void Report(string? currentPath, bool force)
    {
        if (_progress is null || (!force && _received + _staged - _reportedAt < ProgressStep))
        {
            return;
        }

        _reportedAt = _received + _staged;
        _progress.Report(new UploadProgress(_received, _declaredTotal, _files.Count, _partsDone, _parts.Count, currentPath));
    }

    private static Stream Open(UploadPart part)
    {
        var stream = part.Open() ?? throw new InvalidOperationException($"Open returned null for part {UploadRejection.Display(part.RelativePath)}.");
        if (!stream.CanRead)
        {
            stream.Dispose();
            throw new InvalidOperationException($"The stream of part {UploadRejection.Display(part.RelativePath)} cannot be read.");
        }

        return stream;
    }

    /// <summary>A new file, never an existing one or a link (O_CREAT | O_EXCL), readable by the service user only.</summary>
    private static FileStream CreateFile(string fullPath)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(fullPath, options);
    }

    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The archive format whose signature starts <paramref name="head"/>, if any.</summary>
    private static string? ArchiveSignature(ReadOnlySpan<byte> head) => head switch
    {
        [0x50, 0x4B, 0x03 or 0x05 or 0x07, 0x04 or 0x06 or 0x08, ..] => "zip",
        [0x1F, 0x8B, 0x08, ..] => "gzip",
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, ..] => "7z",
        [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, ..] => "RAR",
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, ..] => "xz",
        [0x28, 0xB5, 0x2F, 0xFD, ..] => "zstd",
        _ => null,
    };

    private static string Ratio(long expanded, long compressed) =>
        compressed == 0 ? "from nothing" : Invariant($"{(double)expanded / compressed:0.#}:1");

    private static UploadRejectedException Reject(string name, string? entry, UploadRule rule, string message) =>
        new([new UploadRejection(name, entry, rule, message)]);
}
