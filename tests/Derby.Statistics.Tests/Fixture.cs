using System.Globalization;
using System.Text.Json;

namespace Derby.Statistics.Tests;

/// <summary>Reads the R-made fixtures (Fixtures/*.json) and their input data (Fixtures/data/*.csv).</summary>
internal static class Fixture
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string DataPath(string name) => Path.Combine(Folder, "data", name + ".csv");

    public static JsonElement Json(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        return doc.RootElement.Clone();
    }

    /// <summary>A CSV with a header row as columns of text.</summary>
    public static Dictionary<string, string[]> Csv(string name)
    {
        var lines = File.ReadAllLines(DataPath(name)).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => v.Trim('"')).ToArray()).ToArray();
        return header.Select((h, j) => (h, rows.Select(r => r[j]).ToArray())).ToDictionary(t => t.h, t => t.Item2);
    }

    public static double[] Numbers(this Dictionary<string, string[]> csv, string column) =>
        csv[column].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    public static int[] Integers(this Dictionary<string, string[]> csv, string column) =>
        csv[column].Select(v => (int)double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    public static double D(this JsonElement e, string property) => e.GetProperty(property).ValueKind == JsonValueKind.Null
        ? double.NaN
        : e.GetProperty(property).GetDouble();

    public static double? N(this JsonElement e, string property) => e.GetProperty(property).ValueKind == JsonValueKind.Null
        ? null
        : e.GetProperty(property).GetDouble();

    public static double[] Ds(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? double.NaN : x.GetDouble()).ToArray();

    public static string S(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    /// <summary>Every fixture entry of an array, for theories.</summary>
    public static TheoryData<string> Names(string file, string? arrayProperty = null)
    {
        var root = Json(file);
        var array = arrayProperty is null ? root : root.GetProperty(arrayProperty);
        var data = new TheoryData<string>();
        foreach (var e in array.EnumerateArray())
        {
            data.Add(e.S("name"));
        }

        return data;
    }

    public static JsonElement Entry(string file, string name, string? arrayProperty = null)
    {
        var root = Json(file);
        var array = arrayProperty is null ? root : root.GetProperty(arrayProperty);
        return array.EnumerateArray().Single(e => e.S("name") == name);
    }
}
