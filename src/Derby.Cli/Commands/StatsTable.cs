using System.Globalization;
using Derby.Application.Imports;

namespace Derby.Cli.Commands;

/// <summary>A CSV file with a header row, read for the <c>stats</c> commands; every problem is a <see cref="StatsInputException"/>.</summary>
internal sealed class StatsTable
{
    private readonly Dictionary<string, int> index;
    private readonly CsvDocument document;
    private readonly string fileName;

    private StatsTable(CsvDocument document, string fileName)
    {
        this.document = document;
        this.fileName = fileName;
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < document.Header.Count; i++)
        {
            index.TryAdd(document.Header[i], i);
        }
    }

    public int RowCount => document.Rows.Count;

    public static StatsTable Read(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new StatsInputException($"{file.FullName}: no such file");
        }

        var (doc, error) = CsvDocument.Parse(File.ReadAllBytes(file.FullName));
        if (doc is null)
        {
            throw new StatsInputException($"{file.Name}: line {error!.Line}: {error.Message}");
        }

        if (doc.Rows.Count == 0)
        {
            throw new StatsInputException($"{file.Name}: no data rows under the header");
        }

        return new StatsTable(doc, file.Name);
    }

    public string[] Text(string column)
    {
        var j = Column(column);
        return document.Rows.Select(r => r.Fields[j].Trim()).ToArray();
    }

    public double[] Numbers(string column)
    {
        var j = Column(column);
        var values = new double[document.Rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var row = document.Rows[i];
            var text = row.Fields[j].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                throw new StatsInputException($"{fileName}: line {row.Line}: column '{column}' is not a number: '{text}'");
            }

            values[i] = v;
        }

        return values;
    }

    /// <summary>A 0/1 column (1 = responder / event).</summary>
    public int[] Binary(string column)
    {
        var numbers = Numbers(column);
        var result = new int[numbers.Length];
        for (var i = 0; i < numbers.Length; i++)
        {
            if (numbers[i] is not (0 or 1))
            {
                throw new StatsInputException($"{fileName}: line {document.Rows[i].Line}: column '{column}' must be 0 or 1, found {numbers[i].ToString(CultureInfo.InvariantCulture)}");
            }

            result[i] = (int)numbers[i];
        }

        return result;
    }

    private int Column(string name)
    {
        if (!index.TryGetValue(name, out var j))
        {
            throw new StatsInputException($"{fileName}: unknown column '{name}' (columns: {string.Join(", ", document.Header)})");
        }

        return j;
    }
}
