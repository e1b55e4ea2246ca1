using System.Globalization;
using Derby.Application.Patients;

namespace Derby.Application.Imports;

/// <summary>Reads typed values from one CSV row, recording a clear error for each value that does not parse.</summary>
public sealed class RowReader(CsvRow row, IReadOnlyDictionary<string, int> columns, List<ImportError> errors)
{
    public int Line => row.Line;

    /// <summary>Columns that already have a parse error; range checks on them would only repeat it.</summary>
    public HashSet<string> FailedColumns { get; } = new(StringComparer.Ordinal);

    public string? Text(string column)
    {
        if (!columns.TryGetValue(column, out var index) || index >= row.Fields.Count)
        {
            return null;
        }

        var value = row.Fields[index].Trim();
        return value.Length == 0 ? null : value;
    }

    public double? Number(NumericRule rule)
    {
        var text = Text(rule.Field);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        var hint = text.Contains(',') ? " (use a point as the decimal separator)" : "";
        return Fail<double>(rule.Field, $"'{text}' is not a number{hint}");
    }

    public int? Integer(NumericRule rule)
    {
        var value = Number(rule);
        if (value is null)
        {
            return null;
        }

        if (value != Math.Round(value.Value) || Math.Abs(value.Value) > int.MaxValue)
        {
            return Fail<int>(rule.Field, $"{rule.Label} must be a whole number, got '{Text(rule.Field)}'");
        }

        return (int)value.Value;
    }

    public T? Choice<T>(string column, string label, IReadOnlyDictionary<string, T> allowed) where T : struct
    {
        var text = Text(column);
        if (text is null)
        {
            return null;
        }

        if (allowed.TryGetValue(text.ToLowerInvariant(), out var value))
        {
            return value;
        }

        var names = string.Join(", ", allowed.Keys);
        return Fail<T>(column, $"{label} '{text}' is not one of: {names}");
    }

    public bool? Flag(string column, string label) => Choice(column, label, Flags);

    public void Error(string? column, string message)
    {
        if (column is not null)
        {
            FailedColumns.Add(column);
        }

        errors.Add(new ImportError(row.Line, column, message));
    }

    private T? Fail<T>(string column, string message) where T : struct
    {
        Error(column, message);
        return null;
    }

    private static readonly Dictionary<string, bool> Flags = new()
    {
        ["0"] = false,
        ["1"] = true,
        ["no"] = false,
        ["yes"] = true,
    };
}
