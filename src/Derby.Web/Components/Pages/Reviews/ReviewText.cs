using Derby.Domain;
using MudBlazor;

namespace Derby.Web.Components.Pages.Reviews;

/// <summary>How review states read on the pages and in addresses.</summary>
public static class ReviewText
{
    /// <summary>The state in words.</summary>
    public static string Status(ReviewStatus status) => status switch
    {
        ReviewStatus.Pending => "pending",
        ReviewStatus.Agreed => "agreed",
        ReviewStatus.Disagreed => "disagreed",
        ReviewStatus.NeedsSiteCorrection => "needs site correction",
        _ => status.ToString(),
    };

    /// <summary>The state as an address or attribute value: pending, agreed, disagreed, needs-site-correction.</summary>
    public static string Code(ReviewStatus status) => Status(status).Replace(' ', '-');

    /// <summary>A state from its code; null for none or an unknown one.</summary>
    public static ReviewStatus? Parse(string? code) =>
        Enum.GetValues<ReviewStatus>().Cast<ReviewStatus?>().FirstOrDefault(s => string.Equals(Code(s!.Value), code?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static Color Colour(ReviewStatus status) => status switch
    {
        ReviewStatus.Agreed => Color.Success,
        ReviewStatus.Disagreed => Color.Error,
        ReviewStatus.NeedsSiteCorrection => Color.Warning,
        _ => Color.Default,
    };
}
