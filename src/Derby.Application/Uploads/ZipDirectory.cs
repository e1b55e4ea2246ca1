using System.Buffers.Binary;

namespace Derby.Application.Uploads;

/// <summary>
/// Reads a zip's end-of-central-directory record and walks its central directory, counting entries, before
/// <see cref="System.IO.Compression.ZipArchive"/> is created: ZipArchive loads every entry into memory, so a crafted
/// directory of millions of entries would cost memory before any limit could be checked on its Entries.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint EntrySignature = 0x02014b50;
    private const int EndLength = 22;
    private const int EntryHeaderLength = 46;

    /// <summary>The entries the directory declares, and the entries found walking it (stopping once past the limit; -1 when the declared count alone is over it).</summary>
    public readonly record struct Census(ulong DeclaredEntries, long CountedEntries);

    /// <summary>
    /// Most bytes of extra fields plus comment in one record. Real tools write well under 200 (zip64, NTFS and Unix
    /// times, a Unicode path); ZipArchive keeps them in memory, so 20,000 records of 128 KiB each must not get through.
    /// </summary>
    public const int MaxExtraAndCommentBytes = 4096;

    /// <summary>Counts the entries; throws <see cref="InvalidDataException"/> when the structure is not a zip's or a record is oversized.</summary>
    public static Census Count(Stream archive, int maxEntries, int maxNameBytes)
    {
        var length = archive.Length;
        if (length < EndLength)
        {
            throw new InvalidDataException("too short to be a zip archive");
        }

        // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
        var tailLength = (int)Math.Min(length, EndLength + ushort.MaxValue);
        var tail = new byte[tailLength];
        archive.Position = length - tailLength;
        archive.ReadExactly(tail);

        var end = -1;
        for (var i = tailLength - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && i + EndLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) <= tailLength)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw new InvalidDataException("no end of central directory record");
        }

        ulong entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        ulong directorySize = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 12));
        ulong directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end + 16));

        var endPosition = length - tailLength + end;
        if ((entries == ushort.MaxValue || directorySize == uint.MaxValue || directoryOffset == uint.MaxValue) && endPosition >= 20)
        {
            var locator = new byte[20];
            archive.Position = endPosition - 20;
            archive.ReadExactly(locator);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == Zip64LocatorSignature)
            {
                var zip64EndOffset = BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
                if (zip64EndOffset > (ulong)(length - 56))
                {
                    throw new InvalidDataException("the zip64 end record lies outside the archive");
                }

                var zip64End = new byte[56];
                archive.Position = (long)zip64EndOffset;
                archive.ReadExactly(zip64End);
                if (BinaryPrimitives.ReadUInt32LittleEndian(zip64End) != Zip64EndSignature)
                {
                    throw new InvalidDataException("bad zip64 end record");
                }

                entries = BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(32));
                directorySize = BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(40));
                directoryOffset = BinaryPrimitives.ReadUInt64LittleEndian(zip64End.AsSpan(48));
            }
        }

        if (directoryOffset > (ulong)length || directorySize > (ulong)length - directoryOffset)
        {
            throw new InvalidDataException("the central directory lies outside the archive");
        }

        if (entries > (ulong)maxEntries)
        {
            return new Census(entries, -1);
        }

        // Walk the records: a lying entry count in the end record must not let more entries through.
        var directoryEnd = (long)(directoryOffset + directorySize);
        var header = new byte[EntryHeaderLength];
        // The archive stream is a FileStream with a 64 KiB buffer, so these small reads and skips stay in memory.
        var reader = archive;
        reader.Position = (long)directoryOffset;
        long counted = 0;
        while (reader.Position < directoryEnd && counted <= maxEntries)
        {
            if (directoryEnd - reader.Position < EntryHeaderLength)
            {
                throw new InvalidDataException("truncated central directory");
            }

            reader.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != EntrySignature)
            {
                throw new InvalidDataException("bad central directory record");
            }

            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            var extraAndComment = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            if (nameLength > maxNameBytes)
            {
                throw new InvalidDataException($"entry {counted + 1} has a name of {nameLength} bytes, more than {maxNameBytes}");
            }

            if (extraAndComment > MaxExtraAndCommentBytes)
            {
                throw new InvalidDataException($"entry {counted + 1} has {extraAndComment} bytes of extra fields and comment, more than {MaxExtraAndCommentBytes}");
            }

            reader.Seek(nameLength + extraAndComment, SeekOrigin.Current);
            counted++;
        }

        return new Census(entries, counted);
    }
}
