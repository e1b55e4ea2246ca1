namespace Derby.Domain;

public sealed class CohortMembership
{
    public int CohortId { get; set; }

    public Cohort? Cohort { get; set; }

    public Guid PatientId { get; set; }

    public Patient? Patient { get; set; }
}
