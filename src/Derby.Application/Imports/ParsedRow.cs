using Derby.Application.Patients;

namespace Derby.Application.Imports;

/// <summary>A row that parsed and passed the per-row rules, ready to be written.</summary>
public abstract record ParsedRow(int Line, string Pseudonym);

public sealed record PatientRow(int Line, string Pseudonym, PatientInput Input) : ParsedRow(Line, Pseudonym);

public sealed record ClinicalRow(int Line, string Pseudonym, ClinicalInput Input) : ParsedRow(Line, Pseudonym);

public sealed record BiopsyRow(int Line, string Pseudonym, BiopsyInput Input) : ParsedRow(Line, Pseudonym);

public sealed record OutcomeRow(int Line, string Pseudonym, OutcomeInput Input) : ParsedRow(Line, Pseudonym);
