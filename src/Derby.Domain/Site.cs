namespace Derby.Domain;

/// <summary>A contributing centre. Its code prefixes the pseudonyms of its patients.</summary>
public sealed class Site
{
    public int Id { get; set; }

    public int StudyId { get; set; }

    public Study? Study { get; set; }

    /// <summary>Upper-case code, 2 to 12 letters or digits, e.g. "ZSH".</summary>
    public required string Code { get; set; }

    public required string Name { get; set; }

    public List<Patient> Patients { get; } = [];
}
