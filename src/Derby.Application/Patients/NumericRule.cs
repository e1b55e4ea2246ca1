using System.Globalization;

namespace Derby.Application.Patients;

/// <summary>Range, unit and integrality of one numeric field; used by the forms and the CSV import alike.</summary>
public sealed record NumericRule(string Field, string Label, double Min, double Max, string? Unit = null, bool Integer = false)
{
    /// <summary>Returns why <paramref name="value"/> is refused, or null when it is fine. Null values are the caller's concern.</summary>
    public string? Check(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return $"{Label} must be a number";
        }

        if (Integer && Math.Abs(value - Math.Round(value)) > 0)
        {
            return $"{Label} must be a whole number, got {Format(value)}";
        }

        if (value < Min || value > Max)
        {
            return $"{Label} must be between {Format(Min)} and {Format(Max)}{(Unit is null ? "" : " " + Unit)}, got {Format(value)}";
        }

        return null;
    }

    private static string Format(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
