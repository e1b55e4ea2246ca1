using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Study;

/// <summary>
/// The paper's study design (eClinicalMedicine 2023): three centres and five cohorts. Loading it twice changes nothing.
/// </summary>
public sealed class DemoStudy(IDerbyDbContextFactory dbFactory)
{
    public const string StudyCode = "DERBY";

    public static IReadOnlyList<(string Code, string Name)> Sites { get; } =
    [
        ("ZSH", "Zhongshan Hospital, Fudan University"),
        ("ZSHX", "Zhongshan Hospital (Xiamen), Fudan University"),
        ("HWMU", "First Affiliated Hospital of Wenzhou Medical University"),
    ];

    public static IReadOnlyList<(string Code, string Name, CohortKind Kind, string Description)> Cohorts { get; } =
    [
        ("training", "Training", CohortKind.Training, "BECOME arm A (mFOLFOX6 + bevacizumab), ZSH; n = 103 in the paper"),
        ("internal-validation", "Internal validation", CohortKind.InternalValidation, "Consecutive ZSH patients, 2018, FOLFOX + bevacizumab; n = 65"),
        ("histology", "Histology", CohortKind.Histology, "Training and internal validation patients with baseline colonoscopy biopsy; n = 82"),
        ("external-validation", "External validation", CohortKind.ExternalValidation, "ZSHX and HWMU, 2020, FOLFOX + bevacizumab; n = 102"),
        ("negative-validation", "Negative validation", CohortKind.NegativeControl, "BECOME arm B (mFOLFOX6 alone), ZSH; n = 37"),
    ];

    /// <summary>Creates whatever part of the study design is missing. Returns true when anything was added.</summary>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var changed = false;
        var study = await db.Studies.SingleOrDefaultAsync(s => s.Code == StudyCode, cancellationToken);
        if (study is null)
        {
            study = new Domain.Study
            {
                Code = StudyCode,
                Title = "DERBY: deep-radiomics prediction of bevacizumab response in colorectal liver metastases",
            };
            db.Studies.Add(study);
            await db.SaveChangesAsync(cancellationToken);
            changed = true;
        }

        var siteCodes = await db.Sites.Where(s => s.StudyId == study.Id).Select(s => s.Code).ToListAsync(cancellationToken);
        foreach (var (code, name) in Sites.Where(s => !siteCodes.Contains(s.Code)))
        {
            db.Sites.Add(new Site { Code = code, Name = name, StudyId = study.Id });
            changed = true;
        }

        var cohortCodes = await db.Cohorts.Where(c => c.StudyId == study.Id).Select(c => c.Code).ToListAsync(cancellationToken);
        foreach (var (code, name, kind, description) in Cohorts.Where(c => !cohortCodes.Contains(c.Code)))
        {
            db.Cohorts.Add(new Cohort { Code = code, Name = name, Kind = kind, Description = description, StudyId = study.Id });
            changed = true;
        }

        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }
}
