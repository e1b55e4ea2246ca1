using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Patients;

/// <summary>Reads and edits patients within the caller's <see cref="AccessScope"/>. What a caller may not see does not exist for them.</summary>
public sealed class PatientService(IDerbyDbContextFactory dbFactory, IClock clock)
{
    public async Task<Site?> FindSiteAsync(AccessScope scope, string siteCode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Code == siteCode, cancellationToken);
        return site is not null && scope.CanRead(site.Id) ? site : null;
    }

    public async Task<IReadOnlyList<PatientSummary>> ListAsync(AccessScope scope, int siteId, CancellationToken cancellationToken = default)
    {
        if (!scope.CanRead(siteId))
        {
            throw new NotFoundException("No such site");
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var rows = await db.Patients.AsNoTracking()
            .Where(p => p.SiteId == siteId)
            .Select(p => new PatientSummary(
                p.Id,
                p.Pseudonym,
                p.TreatmentArm,
                p.Cohorts.Select(c => c.Cohort!.Code).ToList(),
                p.Clinical != null,
                p.Biopsy != null,
                p.Outcome != null,
                p.Outcome != null ? p.Outcome.BestResponse : null))
            .ToListAsync(cancellationToken);
        return rows.OrderBy(p => p.Pseudonym, StringComparer.Ordinal).ToList();
    }

    public async Task<Patient?> GetAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await db.Patients.AsNoTracking()
            .Include(p => p.Site)
            .Include(p => p.Cohorts).ThenInclude(c => c.Cohort)
            .Include(p => p.Clinical)
            .Include(p => p.Biopsy)
            .Include(p => p.Outcome)
            .AsSplitQuery()
            .SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        return patient is not null && scope.CanRead(patient.SiteId) ? patient : null;
    }

    public async Task<Patient> RegisterAsync(AccessScope scope, string siteCode, PatientInput input, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Code == siteCode, cancellationToken);
        if (site is null || !scope.CanRead(site.Id))
        {
            throw new NotFoundException($"No site '{siteCode}'");
        }

        if (!scope.CanEdit(site.Id))
        {
            throw new ForbiddenException($"Only coordinators of site {site.Code} can register its patients");
        }

        var cohorts = await db.Cohorts.Where(c => c.StudyId == site.StudyId).ToDictionaryAsync(c => c.Code, cancellationToken);
        var errors = new List<FieldError>();
        if (PatientRules.CheckPseudonym(input.Pseudonym, site.Code) is { } bad)
        {
            errors.Add(new("pseudonym", bad));
        }
        else if (await db.Patients.AnyAsync(p => p.Pseudonym == input.Pseudonym, cancellationToken))
        {
            errors.Add(new("pseudonym", $"Patient {input.Pseudonym} is already registered"));
        }

        if (input.TreatmentArm is null)
        {
            errors.Add(new("treatment_arm", "Treatment arm is required"));
        }

        errors.AddRange(input.CohortCodes.Where(c => !cohorts.ContainsKey(c)).Select(c => new FieldError("cohorts", $"Unknown cohort '{c}'")));
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var patient = new Patient { Id = Guid.NewGuid(), SiteId = site.Id, Pseudonym = input.Pseudonym!, CreatedUtc = clock.UtcNow };
        ApplyRegistration(patient, input, cohorts);
        db.Patients.Add(patient);
        db.AuditEvents.Add(Audit(scope, "patient.registered", patient.Id, site.Id, patient.Pseudonym));
        await db.SaveChangesAsync(cancellationToken);
        return patient;
    }

    /// <summary>Sets arm and cohort memberships from a registration; shared by the form and the patients import.</summary>
    public static void ApplyRegistration(Patient patient, PatientInput input, IReadOnlyDictionary<string, Cohort> cohortsByCode)
    {
        patient.TreatmentArm = input.TreatmentArm!.Value;
        var wanted = input.CohortCodes.Select(c => cohortsByCode[c].Id).ToHashSet();
        patient.Cohorts.RemoveAll(m => !wanted.Contains(m.CohortId));
        foreach (var id in wanted.Where(id => patient.Cohorts.All(m => m.CohortId != id)))
        {
            patient.Cohorts.Add(new CohortMembership { CohortId = id, PatientId = patient.Id });
        }
    }

    public Task SaveClinicalAsync(AccessScope scope, Guid patientId, ClinicalInput input, CancellationToken cancellationToken = default) =>
        SaveAsync(scope, patientId, PatientRules.Validate(input), "clinical.saved", q => q.Include(p => p.Clinical), p =>
        {
            var record = p.Clinical ??= new ClinicalRecord { PatientId = p.Id };
            input.ApplyTo(record);
            record.UpdatedUtc = clock.UtcNow;
        }, cancellationToken);

    public Task SaveBiopsyAsync(AccessScope scope, Guid patientId, BiopsyInput input, CancellationToken cancellationToken = default) =>
        SaveAsync(scope, patientId, PatientRules.Validate(input), "ihc.saved", q => q.Include(p => p.Biopsy), p =>
        {
            var record = p.Biopsy ??= new BiopsyScores { PatientId = p.Id };
            input.ApplyTo(record);
            record.UpdatedUtc = clock.UtcNow;
        }, cancellationToken);

    public Task SaveOutcomeAsync(AccessScope scope, Guid patientId, OutcomeInput input, CancellationToken cancellationToken = default) =>
        SaveAsync(scope, patientId, PatientRules.Validate(input), "outcome.saved", q => q.Include(p => p.Outcome), p =>
        {
            var record = p.Outcome ??= new Outcome { PatientId = p.Id };
            input.ApplyTo(record);
            record.UpdatedUtc = clock.UtcNow;
        }, cancellationToken);

    private async Task SaveAsync(AccessScope scope, Guid patientId, List<FieldError> errors, string action,
        Func<IQueryable<Patient>, IQueryable<Patient>> include, Action<Patient> apply, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var patient = await include(db.Patients).SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !scope.CanRead(patient.SiteId))
        {
            throw new NotFoundException("No such patient");
        }

        if (!scope.CanEdit(patient.SiteId))
        {
            throw new ForbiddenException("Only the patient's site coordinators can change its data");
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        apply(patient);
        db.AuditEvents.Add(Audit(scope, action, patient.Id, patient.SiteId, patient.Pseudonym));
        await db.SaveChangesAsync(cancellationToken);
    }

    private AuditEvent Audit(AccessScope scope, string action, Guid patientId, int siteId, string pseudonym) => new()
    {
        OccurredUtc = clock.UtcNow,
        Actor = scope.UserName,
        Action = action,
        EntityType = nameof(Patient),
        EntityId = patientId.ToString(),
        SiteId = siteId,
        Details = $"{{\"pseudonym\":\"{pseudonym}\"}}",
    };
}

public sealed record PatientSummary(
    Guid Id,
    string Pseudonym,
    TreatmentArm TreatmentArm,
    IReadOnlyList<string> Cohorts,
    bool HasClinical,
    bool HasBiopsy,
    bool HasOutcome,
    RecistResponse? BestResponse);
