namespace Derby.Learning.Forest;

/// <summary>One 2.5D PET/CT pair as a row of the forest's feature table.</summary>
/// <param name="PatientKey">The patient the pair belongs to; every pair of a patient carries the patient's label.</param>
/// <param name="PairKey">Identifies the pair; unique within a table (a Guid's string form, for example).</param>
/// <param name="RoiArea">Voxels of the lesion mask on the pair's PET slice (&gt; 0): the pair's weight in the TRS.</param>
/// <param name="Features">The pair's feature vector, one value per column of the table.</param>
public sealed record PairRow(string PatientKey, string PairKey, int RoiArea, IReadOnlyList<float> Features);

/// <summary>
/// The random forest's input: one row per 2.5D pair (patient key, pair key, ROI area, a float feature vector) and the
/// names of the feature columns. Validated when built: no ragged rows, no NaN or infinite values, areas &gt; 0, pair keys
/// unique, column names unique and non-empty. Immutable; the features are held row-major in one array.
/// </summary>
public sealed class PairTable
{
    private readonly string[] columns;
    private readonly string[] patientKeys;
    private readonly string[] pairKeys;
    private readonly int[] areas;
    private readonly float[] values;  // row-major, Count × ColumnCount

    private PairTable(string[] columns, string[] patientKeys, string[] pairKeys, int[] areas, float[] values)
    {
        this.columns = columns;
        this.patientKeys = patientKeys;
        this.pairKeys = pairKeys;
        this.areas = areas;
        this.values = values;
    }

    /// <summary>The feature column names, in the order of every row's features.</summary>
    public IReadOnlyList<string> Columns => columns;

    /// <summary>The number of feature columns.</summary>
    public int ColumnCount => columns.Length;

    /// <summary>The number of pairs (rows).</summary>
    public int Count => pairKeys.Length;

    /// <summary>Each row's patient key.</summary>
    public IReadOnlyList<string> PatientKeys => patientKeys;

    /// <summary>Each row's pair key.</summary>
    public IReadOnlyList<string> PairKeys => pairKeys;

    /// <summary>Each row's ROI area (voxels, &gt; 0).</summary>
    public IReadOnlyList<int> RoiAreas => areas;

    /// <summary>The distinct patient keys, in order of first appearance.</summary>
    public IReadOnlyList<string> Patients => patientKeys.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The features of one row.</summary>
    public ReadOnlySpan<float> Features(int row) => values.AsSpan(row * columns.Length, columns.Length);

    /// <summary>One row as a <see cref="PairRow"/> (its features copied).</summary>
    public PairRow Row(int row) => new(patientKeys[row], pairKeys[row], areas[row], Features(row).ToArray());

    /// <summary>The values of one column over all rows.</summary>
    public float[] Column(int column)
    {
        if ((uint)column >= (uint)columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"The table has {columns.Length} columns.");
        }

        var result = new float[Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values[i * columns.Length + column];
        }

        return result;
    }

    /// <summary>The index of the named column.</summary>
    /// <exception cref="ArgumentException">No column has that name.</exception>
    public int ColumnIndex(string name)
    {
        var index = Array.IndexOf(columns, name);
        return index >= 0
            ? index
            : throw new ArgumentException($"The table has no column '{name}' (columns: {string.Join(", ", columns)}).", nameof(name));
    }

    /// <summary>Builds and validates a table.</summary>
    /// <param name="columns">The feature column names: unique, non-empty, at least one.</param>
    /// <param name="rows">The pairs: at least one.</param>
    /// <exception cref="ArgumentException">What is wrong, naming the row (0-based) and pair key.</exception>
    public static PairTable Create(IReadOnlyList<string> columns, IEnumerable<PairRow> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A pair table needs at least one feature column.", nameof(columns));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in columns)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("Column names must not be empty.", nameof(columns));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Column '{name}' appears more than once.", nameof(columns));
            }
        }

        var d = columns.Count;
        var patients = new List<string>();
        var pairs = new List<string>();
        var areaList = new List<int>();
        var valueList = new List<float>();
        var seenPairs = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var row in rows)
        {
            if (row is null)
            {
                throw new ArgumentException($"Row {index} is null.", nameof(rows));
            }

            if (string.IsNullOrWhiteSpace(row.PatientKey))
            {
                throw new ArgumentException($"Row {index} (pair '{row.PairKey}') has no patient key.", nameof(rows));
            }

            if (string.IsNullOrWhiteSpace(row.PairKey))
            {
                throw new ArgumentException($"Row {index} (patient '{row.PatientKey}') has no pair key.", nameof(rows));
            }

            if (!seenPairs.TryAdd(row.PairKey, index))
            {
                throw new ArgumentException(
                    $"Pair key '{row.PairKey}' appears twice (rows {seenPairs[row.PairKey]} and {index}); pair keys must be unique.", nameof(rows));
            }

            if (row.RoiArea <= 0)
            {
                throw new ArgumentException(
                    $"Row {index} (pair '{row.PairKey}') has ROI area {row.RoiArea}; the area must be a positive voxel count.", nameof(rows));
            }

            if (row.Features is null || row.Features.Count != d)
            {
                throw new ArgumentException(
                    $"Row {index} (pair '{row.PairKey}') has {row.Features?.Count ?? 0} features; the table has {d} columns.", nameof(rows));
            }

            for (var j = 0; j < d; j++)
            {
                var v = row.Features[j];
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException(
                        $"Row {index} (pair '{row.PairKey}') has {v} in column '{columns[j]}'; features must be finite numbers.", nameof(rows));
                }

                valueList.Add(v);
            }

            patients.Add(row.PatientKey);
            pairs.Add(row.PairKey);
            areaList.Add(row.RoiArea);
            index++;
        }

        if (index == 0)
        {
            throw new ArgumentException("A pair table needs at least one row.", nameof(rows));
        }

        return new PairTable(columns.ToArray(), patients.ToArray(), pairs.ToArray(), areaList.ToArray(), valueList.ToArray());
    }

    /// <summary>
    /// The same rows with only the named columns, in the order given: a single-modality signature is a forest trained
    /// on such a projection (for example the imaging or the clinical columns alone).
    /// </summary>
    /// <exception cref="ArgumentException">A name is unknown or repeated, or none is given.</exception>
    public PairTable SelectColumns(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            throw new ArgumentException("Select at least one column.", nameof(names));
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException("A column is named more than once.", nameof(names));
        }

        var indices = names.Select(ColumnIndex).ToArray();
        var d = columns.Length;
        var k = indices.Length;
        var projected = new float[Count * k];
        for (var i = 0; i < Count; i++)
        {
            for (var j = 0; j < k; j++)
            {
                projected[i * k + j] = values[i * d + indices[j]];
            }
        }

        return new PairTable(names.ToArray(), patientKeys, pairKeys, areas, projected);
    }

    /// <summary>The same rows with every value of one column set to <paramref name="value"/> (partial dependence).</summary>
    internal PairTable WithColumnValue(int column, float value)
    {
        var copy = (float[])values.Clone();
        for (var i = 0; i < Count; i++)
        {
            copy[i * columns.Length + column] = value;
        }

        return new PairTable(columns, patientKeys, pairKeys, areas, copy);
    }

    /// <summary>The rows of the given patients only (in table order).</summary>
    public PairTable SelectPatients(IEnumerable<string> patients)
    {
        ArgumentNullException.ThrowIfNull(patients);
        var keep = new HashSet<string>(patients, StringComparer.Ordinal);
        var rows = Enumerable.Range(0, Count).Where(i => keep.Contains(patientKeys[i])).ToArray();
        if (rows.Length == 0)
        {
            throw new ArgumentException("None of the given patients has a row in the table.", nameof(patients));
        }

        var d = columns.Length;
        var selected = new float[rows.Length * d];
        for (var r = 0; r < rows.Length; r++)
        {
            Array.Copy(values, rows[r] * d, selected, r * d, d);
        }

        return new PairTable(columns, rows.Select(i => patientKeys[i]).ToArray(), rows.Select(i => pairKeys[i]).ToArray(),
            rows.Select(i => areas[i]).ToArray(), selected);
    }
}
