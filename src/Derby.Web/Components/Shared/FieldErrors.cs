using Derby.Application.Common;

namespace Derby.Web.Components.Shared;

/// <summary>Field errors keyed like the CSV columns, for binding to MudBlazor's Error/ErrorText.</summary>
public sealed class FieldErrors
{
    private Dictionary<string, string> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public bool Has(string field) => errors.ContainsKey(field);

    public string? this[string field] => errors.GetValueOrDefault(field);

    public IEnumerable<string> Messages => errors.Values;

    public void Set(IEnumerable<FieldError> list) =>
        errors = list.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(e => e.Message)), StringComparer.Ordinal);

    public void Clear() => errors.Clear();
}
