namespace Derby.Application.Uploads;

/// <summary>
/// The paths one upload has claimed. Compared ignoring case, so an upload never depends on the server's file system:
/// "IM1.dcm" and "im1.dcm" would be one file on Windows and macOS.
/// </summary>
internal sealed class PathRegistry
{
    private readonly HashSet<string> _files = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _folders = new(StringComparer.OrdinalIgnoreCase);

    public int FileCount => _files.Count;

    /// <summary>Claims a file path; returns a reason when it is taken or clashes with a folder.</summary>
    public string? ClaimFile(IReadOnlyList<string> segments)
    {
        var path = string.Join('/', segments);
        if (_files.Contains(path))
        {
            return "another file in the upload has the same path (compared ignoring case)";
        }

        if (_folders.Contains(path))
        {
            return "a folder in the upload has the same path";
        }

        var clash = ClaimParents(segments, segments.Count - 1);
        if (clash is not null)
        {
            return clash;
        }

        _files.Add(path);
        return null;
    }

    /// <summary>Claims a folder path (an archive's folder or a directory entry).</summary>
    public string? ClaimFolder(IReadOnlyList<string> segments)
    {
        var clash = ClaimParents(segments, segments.Count);
        return clash;
    }

    private string? ClaimParents(IReadOnlyList<string> segments, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var folder = string.Join('/', segments.Take(i));
            if (_files.Contains(folder))
            {
                return $"\"{folder}\" is a file in the upload and cannot also be a folder";
            }
        }

        for (var i = 1; i <= count; i++)
        {
            _folders.Add(string.Join('/', segments.Take(i)));
        }

        return null;
    }
}
