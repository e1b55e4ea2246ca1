using System.Globalization;

namespace Derby.Imaging.Quantitation;

/// <summary>Parses DICOM DA, TM and DT values (PS3.5 6.2) into <see cref="DateTime"/> with microsecond precision.</summary>
internal static class DicomDateTimeParser
{
    /// <summary>DA "YYYYMMDD" (the ACR-NEMA "YYYY.MM.DD" form is accepted too).</summary>
    public static DateTime? ParseDate(string? da)
    {
        var text = da?.Trim().Replace(".", "", StringComparison.Ordinal);
        return text is { Length: 8 } && DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : null;
    }

    /// <summary>TM "HH[MM[SS[.F{1,6}]]]" (colons of the ACR-NEMA "HH:MM:SS" form are ignored) as a time of day.</summary>
    public static TimeSpan? ParseTime(string? tm)
    {
        var text = tm?.Trim().Replace(":", "", StringComparison.Ordinal);
        if (text is null || text.Length < 2)
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (whole.Length is not (2 or 4 or 6) || !whole.All(char.IsAsciiDigit) || fraction.Length > 6 || !fraction.All(char.IsAsciiDigit)
            || (fraction.Length > 0 && whole.Length != 6))
        {
            return null;
        }

        var hours = int.Parse(whole[..2], CultureInfo.InvariantCulture);
        var minutes = whole.Length >= 4 ? int.Parse(whole[2..4], CultureInfo.InvariantCulture) : 0;
        var seconds = whole.Length >= 6 ? int.Parse(whole[4..6], CultureInfo.InvariantCulture) : 0;
        // The fraction is a decimal fraction of a second: ".05" is 50 ms (digits padded on the right).
        var microseconds = fraction.Length > 0 ? int.Parse(fraction.PadRight(6, '0'), CultureInfo.InvariantCulture) : 0;
        if (hours > 23 || minutes > 59 || seconds > 60)
        {
            return null;
        }

        return new TimeSpan(0, hours, minutes, seconds) + TimeSpan.FromTicks(microseconds * 10L);
    }

    /// <summary>
    /// DT "YYYYMMDDHH[MM[SS[.F]]][&amp;ZZXX]" with at least the hour. A UTC offset is ignored: Series and Acquisition Time
    /// carry none, so every time is compared on the scanner's own clock, as the QIBA pseudo-code does.
    /// </summary>
    public static DateTime? ParseDateTime(string? dt)
    {
        var text = dt?.Trim();
        if (text is null || text.Length < 10)
        {
            return null;
        }

        var offset = text.IndexOfAny(['+', '-'], 8);
        if (offset >= 0)
        {
            text = text[..offset];
        }

        return ParseDate(text[..8]) is { } date && ParseTime(text[8..]) is { } time ? date + time : null;
    }
}
