using AngleSharp.Html.Parser;

namespace Derby.Web.FunctionalTests;

internal static class Html
{
    private static readonly HtmlParser Parser = new();

    public static string InputValue(string html, string name) =>
        Parser.ParseDocument(html).QuerySelector($"input[name='{name}']")?.GetAttribute("value")
        ?? throw new InvalidOperationException($"No input '{name}' in the page");

    public static string? TestIdText(string html, string testId) =>
        Parser.ParseDocument(html).QuerySelector($"[data-testid='{testId}']")?.TextContent.Trim();

    public static int CountTestId(string html, string testId) =>
        Parser.ParseDocument(html).QuerySelectorAll($"[data-testid='{testId}']").Length;
}
