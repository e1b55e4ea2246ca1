using System.Text;

namespace Derby.Application.Imports;

/// <summary>One data row of a CSV file with the line it starts on.</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// A strict RFC 4180 reader for site uploads: UTF-8 only (a BOM is allowed), comma-separated, quoted fields may hold
/// commas, quotes and line breaks. Anything else is refused with the line that shows it, rather than guessed at.
/// </summary>
public sealed class CsvDocument
{
    private CsvDocument(IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows)
    {
        Header = header;
        Rows = rows;
    }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<CsvRow> Rows { get; }

    private static bool LooksLikeUtf16(ReadOnlySpan<byte> bytes)
    {
        var sample = bytes[..(Math.Min(bytes.Length, 512) & ~1)];
        int evenNul = 0, oddNul = 0;
        for (var i = 0; i < sample.Length; i += 2)
        {
            evenNul += sample[i] == 0 ? 1 : 0;
            oddNul += sample[i + 1] == 0 ? 1 : 0;
        }

        var pairs = sample.Length / 2;
        return (oddNul * 10 >= pairs * 9 && evenNul == 0) || (evenNul * 10 >= pairs * 9 && oddNul == 0);
    }

    public static (CsvDocument? Document, ImportError? Error) Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return (null, new ImportError(0, null, "The file is empty"));
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (null, new ImportError(0, null, "The file is UTF-16 encoded: save it as CSV UTF-8"));
        }

        // UTF-16 without a byte order mark: text whose every other byte is NUL (ASCII in UTF-16). Named as such rather than
        // as "binary data", so the site knows how to save the file (bad-input corpus, issue #10).
        if (bytes.Length >= 4 && LooksLikeUtf16(bytes))
        {
            return (null, new ImportError(0, null, "The file is UTF-16 encoded (without a byte order mark): save it as CSV UTF-8"));
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        if (bytes.IndexOf((byte)0) is var nul and >= 0)
        {
            return (null, new ImportError(LineOf(bytes, nul), null, "The file contains binary data (a NUL byte): it is not a CSV text file"));
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            return (null, new ImportError(LineOf(bytes, FirstInvalidUtf8(bytes)), null,
                $"The file is not valid UTF-8 (byte 0x{ex.BytesUnknown?.FirstOrDefault():X2}); it may be Latin-1 or Windows-1252: save it as CSV UTF-8"));
        }

        var records = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var fieldStarted = false;
        var quotedField = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when !fieldStarted:
                    inQuotes = true;
                    fieldStarted = true;
                    quotedField = true;
                    break;
                case '"':
                    return (null, new ImportError(line, null, "A quote appears inside an unquoted field: quote the whole field and double the inner quote"));
                case ',':
                    fields.Add(Finish(field, quotedField));
                    fieldStarted = quotedField = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\r':
                case '\n':
                    fields.Add(Finish(field, quotedField));
                    fieldStarted = quotedField = false;
                    AddRecord(records, fields, recordLine);
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (quotedField)
                    {
                        return (null, new ImportError(line, null, "Text follows a closing quote: quote the whole field"));
                    }

                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }

        if (inQuotes)
        {
            return (null, new ImportError(recordLine, null, "A quoted field is never closed"));
        }

        if (fieldStarted || fields.Count > 0)
        {
            fields.Add(Finish(field, quotedField));
            AddRecord(records, fields, recordLine);
        }

        if (records.Count == 0)
        {
            return (null, new ImportError(0, null, "The file has no header row"));
        }

        var header = records[0].Fields.Select(h => h.Trim()).ToList();
        return (new CsvDocument(header, records.Skip(1).ToList()), null);
    }

    private static string Finish(StringBuilder field, bool quoted)
    {
        var value = quoted ? field.ToString() : field.ToString().Trim();
        field.Clear();
        return value;
    }

    private static void AddRecord(List<CsvRow> records, List<string> fields, int line)
    {
        // Blank lines (a lone empty field) are skipped, as spreadsheets often leave them at the end.
        if (fields.Count == 1 && fields[0].Length == 0)
        {
            return;
        }

        records.Add(new CsvRow(line, fields));
    }

    private static int LineOf(ReadOnlySpan<byte> bytes, int index) => bytes[..Math.Max(0, index)].Count((byte)'\n') + 1;

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var decoder = new UTF8Encoding(false, true);
        // Decode line by line to find the first line that fails; lines are short, so this is cheap.
        var start = 0;
        while (start < bytes.Length)
        {
            var end = bytes[start..].IndexOf((byte)'\n');
            var lineBytes = end < 0 ? bytes[start..] : bytes.Slice(start, end);
            try
            {
                decoder.GetCharCount(lineBytes);
            }
            catch (DecoderFallbackException)
            {
                return start;
            }

            if (end < 0)
            {
                break;
            }

            start += end + 1;
        }

        return 0;
    }
}
