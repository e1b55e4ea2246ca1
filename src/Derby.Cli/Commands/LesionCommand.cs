using System.CommandLine;
using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Application.Segmentation;
using Derby.Domain;
using Derby.Imaging.Segmentation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby lesion --patient PSEUDONYM --box x0,y0,z0,x1,y1,z1 [--threshold SUV] [--accept]</c>: the web app's lesion
/// workflow on a stored patient, run in the foreground: request, segment, and with <c>--accept</c> accept and build the 2.5D
/// pairs. Prints the lesion as JSON. Re-running an interrupted command finishes the same lesion (no second one).
/// </summary>
internal static class LesionCommand
{
    public static Command Build()
    {
        var command = BuildOne();
        command.Subcommands.Add(FromTruth());
        return command;
    }

    /// <summary>
    /// <c>derby lesion from-truth --truth PATH [--min-diameter-cm 1.5] [--except P1,P2]</c>: the synthetic physician
    /// (<see cref="TruthLesions"/>); progress on standard error, the counts as JSON.
    /// </summary>
    private static Command FromTruth()
    {
        var truth = new Option<string>("--truth") { Description = "The synthetic study's ground-truth/truth.json", Required = true };
        var minDiameter = new Option<double>("--min-diameter-cm") { Description = "Skip true lesions smaller than this", DefaultValueFactory = _ => 1.5 };
        var except = new Option<string?>("--except") { Description = "Pseudonyms to leave alone, comma-separated" };
        var command = new Command("from-truth", "Segment, accept and pair every true lesion of the stored synthetic patients (synthetic physician)") { truth, minDiameter, except };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            var path = parse.GetValue(truth)!;
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"error: no file {path}");
                return 2;
            }

            var skip = (parse.GetValue(except) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            var result = await TruthLesions.RunAsync(services, TruthLesions.Read(path), parse.GetValue(minDiameter), skip, Console.Error.WriteLine, token);
            Json.Write(result);
            return 0;
        }, ct));
        return command;
    }

    private static Command BuildOne()
    {
        var patient = new Option<string>("--patient") { Description = "Patient pseudonym", Required = true };
        var box = new Option<string>("--box") { Description = "x0,y0,z0,x1,y1,z1: voxel indices of the patient's PET series", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "A fixed threshold (SUV) instead of the adaptive one" };
        var accept = new Option<bool>("--accept") { Description = "Accept the segmentation and build its 2.5D pairs" };
        var command = new Command("lesion", "Segment a lesion of a stored patient's PET (and accept it, building its 2.5D pairs)") { patient, box, threshold, accept };
        command.SetAction((parse, ct) => DerbyCommandLine.RunAsync(async (services, token) =>
        {
            VoxelBox voxels;
            try
            {
                voxels = VoxelBox.Parse(parse.GetValue(box)!);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message);
                return 2;
            }

            var db = await services.GetRequiredService<IDerbyDbContextFactory>().CreateAsync(token);
            Guid patientId, petId;
            await using (db)
            {
                var pseudonym = parse.GetValue(patient)!;
                var found = await db.Patients.Where(p => p.Pseudonym == pseudonym).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(token);
                var pet = found is null ? null : await db.ImagingSeries.Where(s => s.PatientId == found && s.Modality == ImagingModality.Pet)
                    .OrderByDescending(s => s.ReceivedUtc).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(token);
                if (found is null || pet is null)
                {
                    await Console.Error.WriteLineAsync(found is null ? $"error: no patient {pseudonym}" : $"error: patient {pseudonym} has no stored PET series");
                    return 2;
                }

                (patientId, petId) = (found.Value, pet.Value);
            }

            var lesions = services.GetRequiredService<LesionService>();
            try
            {
                var lesion = await lesions.RequestAsync(AccessScope.System, patientId, new LesionRequest(petId, voxels, parse.GetValue(threshold)), token);
                await lesions.RunSegmentationAsync(lesion.Id, token);
                lesion = await lesions.GetAsync(AccessScope.System, lesion.Id, token);
                if (parse.GetValue(accept) && lesion.Status is LesionStatus.Segmented or LesionStatus.Accepted)
                {
                    await lesions.AcceptAsync(AccessScope.System, lesion.Id, token);
                    await lesions.BuildPairsAsync(lesion.Id, token);
                    lesion = await lesions.GetAsync(AccessScope.System, lesion.Id, token);
                }

                Json.Write(new
                {
                    lesion.Id,
                    lesion.Status,
                    lesion.Error,
                    Box = lesion.Box.ToString(),
                    lesion.Voxels,
                    lesion.MtvMl,
                    lesion.SuvMax,
                    lesion.SuvMean,
                    lesion.SuvPeak,
                    lesion.Tlg,
                    Threshold = lesion.ThresholdSuv,
                    lesion.Iterations,
                    lesion.Warnings,
                    Pairs = lesion.PairCount,
                });
                return lesion.Status == LesionStatus.Failed ? 3 : 0;
            }
            catch (ValidationFailedException ex)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message);
                return 2;
            }
        }, ct));
        return command;
    }
}
