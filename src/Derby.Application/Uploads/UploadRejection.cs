namespace Derby.Application.Uploads;

/// <summary>One reason an upload was refused.</summary>
/// <param name="Part">The part, as the client named it.</param>
/// <param name="Entry">The archive entry, as the archive names it; null for the part itself.</param>
/// <param name="Rule">The rule broken.</param>
/// <param name="Message">What was wrong, with the numbers.</param>
public sealed record UploadRejection(string Part, string? Entry, UploadRule Rule, string Message)
{
    public override string ToString() => Entry is null ? $"{Display(Part)}: {Message}" : $"{Display(Part)}, entry {Display(Entry)}: {Message}";

    /// <summary>Quotes a client-supplied name with control characters escaped, so a hostile name cannot forge log lines.</summary>
    internal static string Display(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 2).Append('"');
        foreach (var c in name.Length > 300 ? name[..300] + "..." : name)
        {
            _ = char.IsControl(c) ? builder.Append($"\\u{(int)c:x4}") : builder.Append(c);
        }

        return builder.Append('"').ToString();
    }
}
