using MudBlazor;

namespace Derby.Web.Components.Layout;

internal static class DerbyTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#c2185b",
            AppbarBackground = "#1f5f8b",
        },
    };
}
