using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Derby.Application.Common;
using Derby.Domain;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Models;

/// <summary>One pair of a patient as the model sees it: its row, ROI area (the vote's weight) and F_img.</summary>
public sealed record PairInputs(long ImagePairId, int RoiArea, double[] Fimg);

/// <summary>The SHA-256 of each input of a patient's score, and of all of them together.</summary>
/// <param name="Instances">The DICOM instances of the PET and CT series the pairs come from (their stored hashes, sorted).</param>
/// <param name="PairSets">The pair files.</param>
/// <param name="Fimg">The F_img of every pair under the mixture.</param>
/// <param name="Clinical">The clinical candidates' values.</param>
/// <param name="Histology">GLUT1 and PKM (the hash of "null" without a biopsy record; DERBY uses them in its histological signature only).</param>
public sealed record InputHashes(string Instances, string PairSets, string Fimg, string Clinical, string Histology)
{
    /// <summary>The hash over every input hash: the prediction's identity with the model version.</summary>
    public string Combined => ModelData.Sha256($"{Instances}\n{PairSets}\n{Fimg}\n{Clinical}\n{Histology}");
}

/// <summary>A patient's inputs to a model, or why there are none.</summary>
public sealed record PatientInputs(Guid PatientId, string Pseudonym, bool? Responder, double[]? Clinical, double[]? Histology,
    IReadOnlyList<PairInputs> Pairs, IReadOnlyList<Guid> PairSetIds, InputHashes? Hashes, string? Missing);

/// <summary>Reads patients' inputs (pairs with F_img under a mixture, clinical record, IHC, outcome) and hashes them.</summary>
internal static class ModelData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The pair set that counts for each lesion: the newest (a lesion gets another when its pairs are rebuilt against a
    /// newer CT), ties broken by content hash so the choice never rests on an identifier. The one rule for a model's
    /// inputs, the network's training plan and the mixture's fit.
    /// </summary>
    public static IEnumerable<T> NewestPerLesion<T>(IEnumerable<T> sets, Func<T, Guid> lesion, Func<T, DateTime> created, Func<T, string> sha256) =>
        sets.GroupBy(lesion).Select(g => g.OrderByDescending(created).ThenBy(sha256, StringComparer.Ordinal).First());

    /// <summary>
    /// The inputs of each patient: the newest pair set of each accepted lesion, every pair with its F_img under
    /// <paramref name="mixtureId"/>. A patient lacks inputs (with the reason) when a lesion's pairs have no F_img yet, when
    /// no accepted lesion has pairs, or the clinical record (or, with <paramref name="needsHistology"/>, the IHC) is missing.
    /// </summary>
    public static async Task<List<PatientInputs>> ReadAsync(IDerbyDbContext db, Guid mixtureId, IReadOnlyCollection<Guid> patientIds, bool needsHistology,
        CancellationToken cancellationToken)
    {
        var patients = await db.Patients.AsNoTracking().Where(p => patientIds.Contains(p.Id)).Include(p => p.Clinical).Include(p => p.Biopsy).Include(p => p.Outcome)
            .ToListAsync(cancellationToken);
        patients = [.. patients.OrderBy(p => p.Pseudonym, StringComparer.Ordinal)];
        var sets = await db.PairSets.AsNoTracking().Where(s => patientIds.Contains(s.Lesion!.PatientId) && s.Lesion.Status == LesionStatus.Accepted && s.PairCount > 0)
            .Select(s => new { s.Id, s.LesionId, s.Lesion!.PatientId, PetSeriesId = s.Lesion.PetSeriesId, s.CtSeriesId, s.Sha256, s.CreatedUtc }).ToListAsync(cancellationToken);
        var newest = NewestPerLesion(sets, s => s.LesionId, s => s.CreatedUtc, s => s.Sha256).ToList();
        var setIds = newest.Select(s => s.Id).ToList();
        var pairs = await db.ImagePairs.AsNoTracking().Where(p => setIds.Contains(p.PairSetId)).Select(p => new { p.Id, p.PairSetId, p.Index, p.RoiArea })
            .ToListAsync(cancellationToken);
        var pairIds = pairs.Select(p => p.Id).ToList();
        var fimg = await db.PairImageFeatures.AsNoTracking().Where(f => f.MixtureModelId == mixtureId && pairIds.Contains(f.ImagePairId))
            .ToDictionaryAsync(f => f.ImagePairId, f => f.ResponsibilitiesJson, cancellationToken);
        var seriesIds = newest.SelectMany(s => new[] { s.PetSeriesId, s.CtSeriesId }).Distinct().ToList();
        var instances = (await db.ImagingInstances.AsNoTracking().Where(i => seriesIds.Contains(i.SeriesId)).Select(i => new { i.SeriesId, i.Sha256 }).ToListAsync(cancellationToken))
            .ToLookup(i => i.SeriesId, i => i.Sha256);

        var result = new List<PatientInputs>(patients.Count);
        foreach (var patient in patients)
        {
            var responder = patient.Outcome?.IsResponder;
            var (clinical, clinicalMissing) = ClinicalFactors.Values(patient.Clinical);
            var histology = ClinicalFactors.HistologyValues(patient.Biopsy);
            // A patient's lesions in the order of their pairs' content hash, not of their identifiers: the forest's bagging
            // follows the row order, and the same study imported again must give the same forest.
            var mine = newest.Where(s => s.PatientId == patient.Id).OrderBy(s => s.Sha256, StringComparer.Ordinal).ThenBy(s => s.Id).ToList();
            var missing = new List<string>();
            var rows = new List<PairInputs>();
            foreach (var set in mine)
            {
                foreach (var pair in pairs.Where(p => p.PairSetId == set.Id).OrderBy(p => p.Index))
                {
                    if (!fimg.TryGetValue(pair.Id, out var json))
                    {
                        missing.Add("pairs without F_img under the network's mixture (run the feature extraction and the mixture)");
                        goto nextSet;
                    }

                    rows.Add(new PairInputs(pair.Id, pair.RoiArea, JsonSerializer.Deserialize<double[]>(json, Json)!));
                }

            nextSet:;
            }

            if (mine.Count == 0)
            {
                missing.Add("no accepted lesion with 2.5D pairs");
            }

            if (clinicalMissing is not null)
            {
                missing.Add(clinicalMissing);
            }

            if (needsHistology && histology is null)
            {
                missing.Add("no IHC scores (GLUT1, PKM)");
            }

            InputHashes? hashes = null;
            if (missing.Count == 0)
            {
                var instanceText = string.Join('\n', mine.SelectMany(s => new[] { s.PetSeriesId, s.CtSeriesId }).Distinct().OrderBy(id => id)
                    .SelectMany(id => instances[id].Order(StringComparer.Ordinal)));
                hashes = new InputHashes(
                    Sha256(instanceText),
                    Sha256(string.Join('\n', mine.Select(s => s.Sha256))),
                    Sha256(JsonSerializer.Serialize(rows.Select(r => new { r.ImagePairId, r.RoiArea, r.Fimg }), Json)),
                    Sha256(JsonSerializer.Serialize(clinical, Json)),
                    Sha256(JsonSerializer.Serialize(histology, Json)));
            }

            result.Add(new PatientInputs(patient.Id, patient.Pseudonym, responder, clinical, histology, rows, [.. mine.Select(s => s.Id)], hashes,
                missing.Count == 0 ? null : string.Join("; ", missing.Distinct())));
        }

        return result;
    }
}
