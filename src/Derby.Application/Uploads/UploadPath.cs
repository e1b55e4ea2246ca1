using System.Text;

namespace Derby.Application.Uploads;

/// <summary>
/// Turns an untrusted name (a browser's relative path or a zip entry name) into a safe relative path, or says why not.
/// Both '/' and '\' separate folders, so "..\..\x" written by a Windows zip tool is caught like "../../x".
/// </summary>
internal static class UploadPath
{
    /// <summary>Most UTF-8 bytes in one segment: the usual file-system limit for a name (ext4, NTFS, APFS).</summary>
    private const int MaxSegmentBytes = 255;

    private static readonly HashSet<string> ReservedWindowsNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>Splits and checks a name; "." and empty segments are dropped. Returns null and a reason on refusal.</summary>
    public static IReadOnlyList<string>? Split(string? raw, out UploadRule rule, out string reason)
    {
        rule = UploadRule.InvalidPath;
        if (string.IsNullOrEmpty(raw))
        {
            reason = "the path is empty";
            return null;
        }

        if (raw.Length >= 2 && char.IsAsciiLetter(raw[0]) && raw[1] == ':')
        {
            reason = "the path starts with a drive letter";
            return null;
        }

        foreach (var c in raw)
        {
            if (c == '\0')
            {
                reason = "the path contains a NUL character";
                return null;
            }

            if (char.IsControl(c))
            {
                reason = $"the path contains the control character U+{(int)c:X4}";
                return null;
            }

            // Bidirectional overrides can make "evil\u202Emcd.exe" display as "evil.exe.dcm".
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                reason = $"the path contains the bidirectional control U+{(int)c:X4}";
                return null;
            }

            // ':' is a drive letter ("C:x") or an NTFS alternate data stream ("a.dcm:hidden"); the rest are invalid on Windows.
            if (c is ':' or '<' or '>' or '"' or '|' or '?' or '*')
            {
                reason = $"the path contains the character '{c}'";
                return null;
            }
        }

        if (raw[0] is '/' or '\\')
        {
            reason = "the path is absolute";
            return null;
        }

        string normalised;
        try
        {
            // One spelling per name: macOS sends decomposed (NFD) names, others composed.
            normalised = raw.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            reason = "the path is not valid Unicode";
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in normalised.Split('/', '\\'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                reason = "the path contains a '..' segment";
                return null;
            }

            // Windows drops trailing dots and spaces, so "x. " would land on "x"; "..." is not a name either.
            if (segment.TrimEnd('.', ' ').Length == 0 || segment[^1] is '.' or ' ')
            {
                reason = $"the segment \"{segment}\" ends with a dot or space";
                return null;
            }

            var stem = segment.Split('.')[0].TrimEnd(' ');
            if (ReservedWindowsNames.Contains(stem))
            {
                reason = $"\"{segment}\" is a reserved device name";
                return null;
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
            {
                rule = UploadRule.PathTooLong;
                reason = $"a name in the path is longer than {MaxSegmentBytes} bytes";
                return null;
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            reason = "the path names no file";
            return null;
        }

        reason = "";
        return segments;
    }

    /// <summary>Checks the length and depth of a path once its segments are final.</summary>
    public static bool WithinLimits(IReadOnlyList<string> segments, UploadLimits limits, out UploadRule rule, out string reason)
    {
        var joined = string.Join('/', segments);
        if (joined.Length > limits.MaxPathLength)
        {
            rule = UploadRule.PathTooLong;
            reason = $"the path has {joined.Length} characters, more than the limit of {limits.MaxPathLength}";
            return false;
        }

        if (segments.Count > limits.MaxPathDepth)
        {
            rule = UploadRule.PathTooDeep;
            reason = $"the path has {segments.Count} levels, more than the limit of {limits.MaxPathDepth}";
            return false;
        }

        rule = default;
        reason = "";
        return true;
    }

    /// <summary>
    /// The full path of a relative path under <paramref name="root"/>, or null when it would resolve outside it.
    /// Split already refuses every way out; this is the last check before a file is created (zip slip).
    /// </summary>
    public static string? Resolve(string root, string relativePath)
    {
        var rootWithSeparator = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(rootWithSeparator, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return full.StartsWith(rootWithSeparator, comparison) && full.Length > rootWithSeparator.Length ? full : null;
    }
}
