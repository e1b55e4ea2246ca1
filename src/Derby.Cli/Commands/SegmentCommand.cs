using System.CommandLine;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;
using Derby.Imaging.Quantitation;
using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Cli.Commands;

/// <summary>
/// <c>derby segment --pet DIR --box x0,y0,z0,x1,y1,z1 [--threshold SUV]</c>: one lesion of a PET series segmented in a box
/// (voxel indices of the series in its sorted slice order) by <see cref="LesionSegmenter"/>, its measures as JSON. Warnings
/// go to standard error as well; errors (bad box, not one valid PET series, no SUV) exit 1.
/// </summary>
internal static class SegmentCommand
{
    public static Command Build()
    {
        var pet = new Option<DirectoryInfo>("--pet") { Description = "Folder holding one PET series (searched recursively)", Required = true };
        pet.AcceptExistingOnly();
        var box = new Option<string>("--box") { Description = "The box: x0,y0,z0,x1,y1,z1 (column, row, slice; inclusive, from 0)", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Fixed threshold in SUV instead of the adaptive one" };
        var segment = new Command("segment", "Segment a lesion in a box of a PET series (adaptive threshold + region growing), as JSON") { pet, box, threshold };
        segment.SetAction(parse =>
        {
            try
            {
                var voxelBox = VoxelBox.Parse(parse.GetValue(box)!);
                var (geometry, suv) = ReadSuv(parse.GetValue(pet)!);
                var settings = parse.GetValue(threshold) is { } t ? new SegmentationSettings { FixedThresholdSuv = t } : SegmentationSettings.Default;
                var s = LesionSegmenter.Segment(suv, geometry, voxelBox, settings);
                Json.Write(new
                {
                    s.Voxels,
                    s.MtvMl,
                    s.SuvMax,
                    s.SuvMean,
                    s.SuvPeak,
                    s.Tlg,
                    s.Threshold,
                    s.Iterations,
                    s.Background,
                    s.Converged,
                    SuvMaxVoxel = new[] { s.SuvMaxVoxel.X, s.SuvMaxVoxel.Y, s.SuvMaxVoxel.Z },
                    Box = new[] { s.Box.X0, s.Box.Y0, s.Box.Z0, s.Box.X1, s.Box.Y1, s.Box.Z1 },
                    s.ThresholdHistory,
                    s.Warnings,
                });
                foreach (var w in s.Warnings)
                {
                    Console.Error.WriteLine($"warning: {w}");
                }

                return 0;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or DicomReadException or SuvException or SegmentInputException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        return segment;
    }

    /// <summary>The platform's reading path: GDCM headers, SeriesAssembler, SuvCalculator, VolumeBuilder.BuildSuv.</summary>
    private static (SeriesGeometry Geometry, float[] Suv) ReadSuv(DirectoryInfo folder)
    {
        var reader = new GdcmDicomFileReader();
        var slices = folder.EnumerateFiles("*", SearchOption.AllDirectories)
            .OrderBy(f => f.FullName, StringComparer.Ordinal)
            .Select(f => new SliceSource(f.FullName, reader.Read(f.FullName).Dataset))
            .ToList();
        if (slices.Count == 0)
        {
            throw new SegmentInputException($"{folder.FullName} holds no DICOM files");
        }

        var assembled = SeriesAssembler.Assemble(slices);
        if (assembled.Count != 1)
        {
            throw new SegmentInputException($"the folder holds {assembled.Count} series; give one PET series");
        }

        var series = assembled[0];
        if (series.Modality != "PT")
        {
            throw new SegmentInputException($"series {series.SeriesInstanceUid} is {series.Modality ?? "without a Modality"}, not a PET series (PT)");
        }

        if (!series.IsValid || series.Geometry is not { } geometry)
        {
            throw new SegmentInputException($"series {series.SeriesInstanceUid} was refused: {string.Join("; ", series.Problems)}");
        }

        var factor = SuvCalculator.Compute(series.Slices.Select(s => s.Dataset).ToList()).SuvFactor;
        return (geometry, VolumeBuilder.BuildSuv(series, reader, factor));
    }

    /// <summary>The folder is not one valid PET series.</summary>
    private sealed class SegmentInputException(string message) : Exception(message);
}
