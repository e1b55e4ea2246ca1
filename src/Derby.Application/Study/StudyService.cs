using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Patients;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Study;

/// <summary>The study's structure: its overview for everyone, and the management of sites and cohorts for admins.</summary>
public sealed class StudyService(IDerbyDbContextFactory dbFactory, IClock clock)
{
    /// <summary>The overview of the study this installation runs (the first one), or null before one exists.</summary>
    public async Task<StudyOverview?> GetOverviewAsync(AccessScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var study = await db.Studies.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        if (study is null)
        {
            return null;
        }

        var sites = await db.Sites.AsNoTracking().Where(s => s.StudyId == study.Id).OrderBy(s => s.Code).ToListAsync(cancellationToken);
        var patientsPerSite = await db.Patients.AsNoTracking().GroupBy(p => p.SiteId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var members = await db.CohortMemberships.AsNoTracking()
            .Select(m => new
            {
                m.CohortId,
                m.Patient!.SiteId,
                HasClinical = m.Patient.Clinical != null,
                HasBiopsy = m.Patient.Biopsy != null,
                HasOutcome = m.Patient.Outcome != null,
            })
            .ToListAsync(cancellationToken);
        var cohorts = await db.Cohorts.AsNoTracking().Where(c => c.StudyId == study.Id).ToListAsync(cancellationToken);
        var siteCodes = sites.ToDictionary(s => s.Id, s => s.Code);

        var cohortCounts = cohorts.OrderBy(c => c.Kind).ThenBy(c => c.Code).Select(c =>
        {
            var m = members.Where(x => x.CohortId == c.Id).ToList();
            return new CohortCount(c.Id, c.Code, c.Name, c.Kind, c.Description, m.Count,
                m.GroupBy(x => siteCodes.GetValueOrDefault(x.SiteId, "?")).ToDictionary(g => g.Key, g => g.Count()),
                m.Count(x => x.HasClinical), m.Count(x => x.HasBiopsy), m.Count(x => x.HasOutcome));
        }).ToList();

        return new StudyOverview(study.Code, study.Title,
            sites.Select(s => new SiteCount(s.Id, s.Code, s.Name, patientsPerSite.GetValueOrDefault(s.Id), scope.CanRead(s.Id))).ToList(),
            cohortCounts,
            patientsPerSite.Values.Sum());
    }

    public async Task<IReadOnlyList<Site>> ListSitesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return await db.Sites.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Cohort>> ListCohortsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return await db.Cohorts.AsNoTracking().OrderBy(c => c.Kind).ThenBy(c => c.Code).ToListAsync(cancellationToken);
    }

    /// <summary>Creates the site, or renames it when the code exists. Admins only.</summary>
    public async Task<Site> SaveSiteAsync(AccessScope scope, string code, string name, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var errors = new List<FieldError>();
        if (PatientRules.CheckSiteCode(code) is { } bad)
        {
            errors.Add(new("code", bad));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors.Add(new("name", "Name is required (at most 200 characters)"));
        }
        else if (PatientRules.CheckText(name, "Name", 200) is { } badName)
        {
            errors.Add(new("name", badName));
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var study = await db.Studies.OrderBy(s => s.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("No study exists yet");
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Code == code, cancellationToken);
        var before = site?.Name;
        if (site is null)
        {
            site = new Site { Code = code, Name = PatientRules.CleanText(name)!, StudyId = study.Id };
            db.Sites.Add(site);
        }
        else
        {
            site.Name = PatientRules.CleanText(name)!;
        }

        db.AuditEvents.Add(StudyAudit(scope, before is null ? "site.created" : "site.updated", nameof(Site), code, before is null ? null : site.Id,
            new { code, before = before is null ? null : new { name = before }, after = new { name = site.Name } }));
        await db.SaveChangesAsync(cancellationToken);
        return site;
    }

    /// <summary>Creates the cohort, or updates it when the code exists. Admins only.</summary>
    public async Task<Cohort> SaveCohortAsync(AccessScope scope, string code, string name, CohortKind kind, string? description,
        CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(code) || code.Length > 32 || !code.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
        {
            errors.Add(new("code", "Cohort code must be 1 to 32 lower-case letters, digits or '-'"));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors.Add(new("name", "Name is required (at most 200 characters)"));
        }
        else if (PatientRules.CheckText(name, "Name", 200) is { } badName)
        {
            errors.Add(new("name", badName));
        }

        if (!Enum.IsDefined(kind))
        {
            errors.Add(new("kind", "Unknown cohort kind"));
        }

        if (description is { Length: > 1000 })
        {
            errors.Add(new("description", "Description must be at most 1000 characters"));
        }
        else if (!string.IsNullOrEmpty(description) && PatientRules.CheckText(description, "Description", 1000) is { } badDescription)
        {
            errors.Add(new("description", badDescription));
        }

        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var study = await db.Studies.OrderBy(s => s.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("No study exists yet");
        var cohort = await db.Cohorts.SingleOrDefaultAsync(c => c.StudyId == study.Id && c.Code == code, cancellationToken);
        var before = cohort is null ? null : new { name = cohort.Name, kind = cohort.Kind.ToString(), description = cohort.Description };
        if (cohort is null)
        {
            cohort = new Cohort { Code = code, Name = PatientRules.CleanText(name)!, StudyId = study.Id };
            db.Cohorts.Add(cohort);
        }

        cohort.Name = PatientRules.CleanText(name)!;
        cohort.Kind = kind;
        cohort.Description = PatientRules.CleanText(description);
        db.AuditEvents.Add(StudyAudit(scope, before is null ? "cohort.created" : "cohort.updated", nameof(Cohort), code, null,
            new { code, before, after = new { name = cohort.Name, kind = cohort.Kind.ToString(), description = cohort.Description } }));
        await db.SaveChangesAsync(cancellationToken);
        return cohort;
    }

    public async Task<DeidentificationPolicy> GetDeidentificationAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        return await db.Studies.OrderBy(s => s.Id).Select(s => s.Deidentification).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Sets what the DICOM gate does with identifying attributes: refuse the upload, or scrub them. Admins only.</summary>
    public async Task SetDeidentificationAsync(AccessScope scope, DeidentificationPolicy policy, CancellationToken cancellationToken = default)
    {
        RequireAdmin(scope);
        if (!Enum.IsDefined(policy))
        {
            throw new ValidationFailedException([new("deidentification", "Unknown policy: reject or scrub")]);
        }

        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var study = await db.Studies.OrderBy(s => s.Id).FirstOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("No study exists yet");
        study.Deidentification = policy;
        db.AuditEvents.Add(StudyAudit(scope, "study.deidentification", nameof(Domain.Study), study.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            new { policy = policy.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void RequireAdmin(AccessScope scope)
    {
        if (!scope.CanManageStudy)
        {
            throw new ForbiddenException("Only admins manage sites and cohorts");
        }
    }

    private AuditEvent StudyAudit(AccessScope scope, string action, string entityType, string entityId, int? siteId, object details) =>
        Audit.AuditEvents.Create(scope.UserName, clock.UtcNow, action, entityType, entityId, siteId, details);
}
