using System.Buffers.Binary;
using System.Text;

namespace Derby.Imaging.Dicom;

/// <summary>
/// Walks a file's element headers (lengths only, values skipped) before a toolkit parses it: every defined length must fit
/// in what is left of the file (or of its enclosing item), sequences and items must be closed, and a compressed transfer
/// syntax must come with encapsulated Pixel Data. GDCM, as Debian builds it, asserts (aborting the whole process) on some
/// files whose lengths lie, and silently accepts others whose Pixel Data length runs past the end of the file; checked here
/// first, such files are refused with the element that lies (bad-input corpus, issue #10).
/// Files without the Part 10 "DICM" marker are walked when their first element looks like DICOM, else left to the toolkit.
/// Deflated data sets are checked up to their meta information only.
/// </summary>
public static class DicomStructure
{
    private const uint Undefined = 0xFFFFFFFF;
    private const uint Item = 0xFFFEE000;
    private const uint ItemDelimiter = 0xFFFEE00D;
    private const uint SequenceDelimiter = 0xFFFEE0DD;
    private const uint PixelData = 0x7FE00010;
    private const int MaxDepth = 32;

    private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    /// <summary>Transfer syntaxes whose Pixel Data is native (not encapsulated).</summary>
    private static readonly HashSet<string> NativeSyntaxes = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"];

    /// <summary>Null when the structure holds, else why not (a reason for <see cref="DicomReadException"/>).</summary>
    public static string? Check(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
        try
        {
            return new Walker(stream).Run();
        }
        catch (MalformedException ex)
        {
            return ex.Message;
        }
    }

    private sealed class MalformedException(string message) : Exception(message);

    private sealed class Walker(FileStream stream)
    {
        private readonly byte[] buffer = new byte[12];
        private bool explicitVr = true;
        private bool bigEndian;

        public string? Run()
        {
            var length = stream.Length;
            long position;
            string? transferSyntax = null;
            if (length >= 132 && Read(128, 4) && buffer.AsSpan(0, 4).SequenceEqual("DICM"u8))
            {
                position = 132;
                (position, transferSyntax) = WalkMeta(position);
                if (transferSyntax == "1.2.840.10008.1.2.1.99")
                {
                    return null;
                }

                explicitVr = transferSyntax != "1.2.840.10008.1.2";
                bigEndian = transferSyntax == "1.2.840.10008.1.2.2";
                // Some writers declare an explicit syntax and write the data set in implicit VR; readers (GDCM, pydicom) detect
                // it from the first element, and so does the walk.
                if (explicitVr && position + 8 <= length && Read(position, 8)
                    && !(char.IsAsciiLetterUpper((char)buffer[4]) && char.IsAsciiLetterUpper((char)buffer[5])))
                {
                    explicitVr = false;
                }
            }
            else
            {
                // No Part 10 header: only a data set that starts like one (group 0002 or 0008, either byte order) is walked.
                if (length < 8 || !Read(0, 8))
                {
                    return null;
                }

                var littleGroup = BinaryPrimitives.ReadUInt16LittleEndian(buffer);
                var bigGroup = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                if (littleGroup is 0x0002 or 0x0008)
                {
                    bigEndian = false;
                }
                else if (bigGroup is 0x0002 or 0x0008)
                {
                    bigEndian = true;
                }
                else
                {
                    return null;
                }

                explicitVr = char.IsAsciiLetterUpper((char)buffer[4]) && char.IsAsciiLetterUpper((char)buffer[5]);
                position = 0;
            }

            var pixelEncapsulated = WalkDataSet(position, length, untilItemDelimiter: false, depth: 0);
            if (transferSyntax is not null && pixelEncapsulated is false && !NativeSyntaxes.Contains(transferSyntax))
            {
                return $"declares the transfer syntax {transferSyntax}, which needs encapsulated (compressed) Pixel Data, but its Pixel Data (7FE0,0010) is not encapsulated: the file is inconsistent";
            }

            return null;
        }

        /// <summary>The file meta information (explicit VR little endian, group 0002): where it ends and the transfer syntax.</summary>
        private (long End, string? TransferSyntax) WalkMeta(long position)
        {
            string? transferSyntax = null;
            var saved = (explicitVr, bigEndian);
            (explicitVr, bigEndian) = (true, false);
            while (position + 8 <= stream.Length && Read(position, 2) && BinaryPrimitives.ReadUInt16LittleEndian(buffer) == 0x0002)
            {
                var (tag, valueLength, headerLength, _) = Header(position, stream.Length);
                var valueStart = position + headerLength;
                if (valueLength == Undefined)
                {
                    throw new MalformedException($"is malformed: meta element {Tag(tag)} has an undefined length");
                }

                if (tag == 0x00020010 && valueLength is > 0 and < 65)
                {
                    var bytes = new byte[valueLength];
                    stream.Position = valueStart;
                    stream.ReadExactly(bytes);
                    transferSyntax = Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
                }

                position = valueStart + valueLength;
            }

            (explicitVr, bigEndian) = saved;
            return (position, transferSyntax);
        }

        /// <summary>Walks elements from <paramref name="position"/> to <paramref name="end"/> (or an item delimiter); whether Pixel Data was encapsulated (null: none).</summary>
        private bool? WalkDataSet(long position, long end, bool untilItemDelimiter, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new MalformedException($"is malformed: sequences nested more than {MaxDepth} deep");
            }

            bool? encapsulated = null;
            while (position < end)
            {
                var (tag, valueLength, headerLength, vr) = Header(position, end);
                var valueStart = position + headerLength;
                if (tag == ItemDelimiter)
                {
                    if (untilItemDelimiter)
                    {
                        return encapsulated;
                    }

                    throw new MalformedException($"is malformed: an item delimiter outside an item at byte {position}");
                }

                if (tag is Item or SequenceDelimiter)
                {
                    throw new MalformedException($"is malformed: an item tag {Tag(tag)} outside a sequence at byte {position}");
                }

                if (valueLength == Undefined)
                {
                    if (tag == PixelData)
                    {
                        encapsulated = true;
                        position = WalkSequence(valueStart, end, tag, fragments: true, depth);
                    }
                    else if (vr is "SQ" or "UN" or null)
                    {
                        // An undefined-length UN holds an implicit VR little endian sequence (PS3.5 6.2.2).
                        var saved = (explicitVr, bigEndian);
                        if (vr == "UN")
                        {
                            (explicitVr, bigEndian) = (false, false);
                        }

                        position = WalkSequence(valueStart, end, tag, fragments: false, depth);
                        (explicitVr, bigEndian) = saved;
                    }
                    else
                    {
                        throw new MalformedException($"is malformed: element {Tag(tag)} ({vr}) has an undefined length");
                    }

                    continue;
                }

                if (valueLength > end - valueStart)
                {
                    throw new MalformedException(
                        $"is truncated or malformed: element {Tag(tag)} declares {valueLength} bytes but only {end - valueStart} remain");
                }

                if (tag == PixelData && depth == 0)
                {
                    encapsulated = false;
                }

                if (vr == "SQ" && valueLength > 0)
                {
                    WalkSequence(valueStart, valueStart + valueLength, tag, fragments: false, depth, bounded: true);
                }

                position = valueStart + valueLength;
            }

            if (untilItemDelimiter)
            {
                throw new MalformedException("is truncated: an item is never closed");
            }

            return encapsulated;
        }

        /// <summary>Walks the items of a sequence (or the fragments of encapsulated Pixel Data); returns where it ends.</summary>
        private long WalkSequence(long position, long end, uint owner, bool fragments, int depth, bool bounded = false)
        {
            var saved = explicitVr;
            while (position < end)
            {
                if (end - position < 8 || !Read(position, 8))
                {
                    break;
                }

                var tag = ReadTag();
                var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)) : BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
                position += 8;
                if (tag == SequenceDelimiter)
                {
                    return position;
                }

                if (tag != Item)
                {
                    throw new MalformedException($"is malformed: {Tag(owner)} holds {Tag(tag)} where an item belongs");
                }

                if (length == Undefined)
                {
                    if (fragments)
                    {
                        throw new MalformedException("is malformed: a Pixel Data fragment has an undefined length");
                    }

                    position = FindItemEnd(position, end, depth);
                    continue;
                }

                if (length > end - position)
                {
                    throw new MalformedException($"is truncated or malformed: an item of {Tag(owner)} declares {length} bytes but only {end - position} remain");
                }

                if (!fragments && length > 0)
                {
                    WalkDataSet(position, position + length, untilItemDelimiter: false, depth + 1);
                }

                position += length;
                explicitVr = saved;
            }

            if (bounded)
            {
                return position;
            }

            throw new MalformedException($"is truncated: {Tag(owner)} is never closed");
        }

        /// <summary>Walks an undefined-length item's data set up to and past its delimiter.</summary>
        private long FindItemEnd(long position, long end, int depth)
        {
            var cursor = position;
            while (cursor < end)
            {
                var (tag, valueLength, headerLength, vr) = Header(cursor, end);
                if (tag == ItemDelimiter)
                {
                    return cursor + 8;
                }

                // One element of the item, sequences included, as the data set walk does it.
                var next = cursor + headerLength;
                if (valueLength == Undefined)
                {
                    if (vr is not ("SQ" or "UN" or null))
                    {
                        throw new MalformedException($"is malformed: element {Tag(tag)} ({vr}) has an undefined length");
                    }

                    next = WalkSequence(next, end, tag, fragments: false, depth + 1);
                }
                else if (valueLength > end - next)
                {
                    throw new MalformedException($"is truncated or malformed: element {Tag(tag)} declares {valueLength} bytes but only {end - next} remain");
                }
                else
                {
                    if (vr == "SQ" && valueLength > 0)
                    {
                        WalkSequence(next, next + valueLength, tag, fragments: false, depth + 1, bounded: true);
                    }

                    next += valueLength;
                }

                cursor = next;
            }

            throw new MalformedException("is truncated: an item is never closed");
        }

        /// <summary>The element header at <paramref name="position"/>: tag, value length, header length and VR (null in implicit VR).</summary>
        private (uint Tag, uint Length, int HeaderLength, string? Vr) Header(long position, long end)
        {
            if (end - position < 8 || !Read(position, 8))
            {
                throw new MalformedException($"is truncated: an element header is cut off at byte {position}");
            }

            var tag = ReadTag();
            // Item and delimiter tags have no VR in any encoding.
            if (!explicitVr || (tag >> 16) == 0xFFFE)
            {
                var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)) : BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
                return (tag, length, 8, null);
            }

            var vr = Encoding.ASCII.GetString(buffer, 4, 2);
            if (!char.IsAsciiLetterUpper(vr[0]) || !char.IsAsciiLetterUpper(vr[1]))
            {
                throw new MalformedException($"is malformed: element {Tag(tag)} has no valid VR at byte {position}");
            }

            if (LongVrs.Contains(vr))
            {
                if (end - position < 12 || !Read(position + 8, 4))
                {
                    throw new MalformedException($"is truncated: an element header is cut off at byte {position}");
                }

                var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(buffer) : BinaryPrimitives.ReadUInt32LittleEndian(buffer);
                return (tag, length, 12, vr);
            }

            var shortLength = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(6)) : BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(6));
            return (tag, shortLength, 8, vr);
        }

        private uint ReadTag() => bigEndian
            ? ((uint)BinaryPrimitives.ReadUInt16BigEndian(buffer) << 16) | BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2))
            : ((uint)BinaryPrimitives.ReadUInt16LittleEndian(buffer) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(2));

        private bool Read(long position, int count)
        {
            stream.Position = position;
            var done = 0;
            while (done < count)
            {
                var read = stream.Read(buffer, done, count - done);
                if (read == 0)
                {
                    return false;
                }

                done += read;
            }

            return true;
        }

        private static string Tag(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";
    }
}
