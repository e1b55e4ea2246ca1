using Derby.Domain;

namespace Derby.Application.Study;

public sealed record StudyOverview(
    string Code,
    string Title,
    IReadOnlyList<SiteCount> Sites,
    IReadOnlyList<CohortCount> Cohorts,
    int Patients);

public sealed record SiteCount(int Id, string Code, string Name, int Patients, bool CanOpen);

/// <summary>Patients in a cohort, overall and per site code, and how many have each kind of data.</summary>
public sealed record CohortCount(
    int Id,
    string Code,
    string Name,
    CohortKind Kind,
    string? Description,
    int Patients,
    IReadOnlyDictionary<string, int> PerSite,
    int WithClinical,
    int WithBiopsy,
    int WithOutcome);
