namespace Derby.Synthetic;

/// <summary>How big a study to make: the paper's cohort sizes and image matrices, or a small one that generates in seconds.</summary>
public sealed record StudyScale(string Name, IReadOnlyDictionary<string, int> CohortSizes, ImageGeometry Geometry)
{
    public int CohortSize(string cohort) => CohortSizes[cohort];

    public static StudyScale Paper { get; } = new("paper", new Dictionary<string, int>
    {
        ["training"] = 103,
        ["internal-validation"] = 65,
        ["histology"] = 82,
        ["external-validation"] = 102,
        ["negative-validation"] = 37,
    }, new ImageGeometry(PetMatrix: 128, CtMatrix: 256, AxialExtentMm: 160));

    public static StudyScale Small { get; } = new("small", new Dictionary<string, int>
    {
        ["training"] = 8,
        ["internal-validation"] = 5,
        ["histology"] = 6,
        ["external-validation"] = 8,
        ["negative-validation"] = 4,
    }, new ImageGeometry(PetMatrix: 48, CtMatrix: 96, AxialExtentMm: 128));

    public static StudyScale Parse(string name) => name switch
    {
        "paper" => Paper,
        "small" => Small,
        _ => throw new ArgumentException($"Unknown scale '{name}': use small or paper"),
    };
}

/// <summary>Image matrices (in-plane) and the axial extent imaged around the liver.</summary>
public sealed record ImageGeometry(int PetMatrix, int CtMatrix, double AxialExtentMm);
