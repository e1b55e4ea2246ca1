using System.Text.Json;

namespace Derby.Web.FunctionalTests.BadInput;

/// <summary>One item of corpus.json: where its bytes come from, where they are sent, and the refusal expected.</summary>
public sealed record CorpusItem(string Id, string Category, string Source, string Route, int Status, string Message, string? Audit, string? Note);

/// <summary>A form-field payload of corpus.json (the values themselves are in <see cref="FormFieldPayloads"/>).</summary>
public sealed record CorpusPayload(string Id, string Description);

/// <summary>The manifest tests/corpus/bad-input/corpus.json (copied next to the tests) and the item sources it names.</summary>
internal static class Corpus
{
    private static readonly Lazy<JsonDocument> Manifest = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "corpus.json"))));
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "corpus", "bad-input");

    /// <summary>pydicom's test files (Debian python3-pydicom, a test prerequisite: scripts/prerequisites.sh).</summary>
    public static string PydicomFolder => "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    public static IReadOnlyList<CorpusItem> Items => Manifest.Value.RootElement.GetProperty("items").Deserialize<List<CorpusItem>>(Options)!;

    public static IReadOnlyList<CorpusPayload> Payloads => Manifest.Value.RootElement.GetProperty("formFieldPayloads").Deserialize<List<CorpusPayload>>(Options)!;

    /// <summary>The files of an item (or, for some STOW-RS transport items, the whole request body).</summary>
    public static object Load(string source)
    {
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        var (kind, name) = (source[..colon], source[(colon + 1)..]);
        return kind switch
        {
            "file" => new List<CorpusFile> { new(Path.GetFileName(name), File.ReadAllBytes(Path.Combine(Folder, name))) },
            "pydicom" => new List<CorpusFile> { new(Path.GetFileNameWithoutExtension(name) + ".dcm", File.ReadAllBytes(Path.Combine(PydicomFolder, name))) },
            "gen" => CorpusGenerators.Generate(name),
            _ => throw new ArgumentException($"Unknown corpus source '{source}'", nameof(source)),
        };
    }
}
