using System.Globalization;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Series;

/// <summary>
/// Groups image files into series and checks that each is one regular volume: slices sorted along the normal of Image
/// Orientation (Patient) by the projection of Image Position (Patient) (never by Instance Number or Slice Location, which
/// scanners fill inconsistently), evenly spaced, complete, with one orientation, frame of reference, matrix and pixel
/// spacing. Tolerances: slice spacing within max(<see cref="MinSpacingToleranceMm"/>, <see cref="RelativeSpacingTolerance"/>
/// of the series' spacing); direction cosines within <see cref="OrientationTolerance"/> per component; pixel spacing within
/// <see cref="PixelSpacingToleranceMm"/>; slice origins off the normal line by at most a tenth of a pixel (and at least 0.01 mm).
/// </summary>
public static class SeriesAssembler
{
    /// <summary>Absolute floor of the slice spacing tolerance, mm (positions are usually written to 0.01 mm or better).</summary>
    public const double MinSpacingToleranceMm = 0.01;

    /// <summary>Fraction of the series' slice spacing a gap may differ from it.</summary>
    public const double RelativeSpacingTolerance = 0.01;

    /// <summary>Largest difference of a direction cosine between slices (about 0.06°), and from unit length/orthogonality.</summary>
    public const double OrientationTolerance = 1e-3;

    /// <summary>Largest difference of Pixel Spacing between slices, mm.</summary>
    public const double PixelSpacingToleranceMm = 1e-3;

    /// <summary>Groups <paramref name="slices"/> by Series Instance UID (in order of first appearance) and assembles each group.</summary>
    public static IReadOnlyList<SeriesAssembly> Assemble(IEnumerable<SliceSource> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return slices
            .GroupBy(s => s.Dataset.GetString(DicomTags.SeriesInstanceUid) ?? "", StringComparer.Ordinal)
            .Select(g => AssembleOne(g.Key, g.ToList()))
            .ToList();
    }

    private static SeriesAssembly AssembleOne(string uid, List<SliceSource> files)
    {
        var problems = new List<string>();
        var modality = files.Select(f => f.Dataset.GetString(DicomTags.Modality)).FirstOrDefault(m => m is not null);
        if (uid.Length == 0)
        {
            problems.Add($"{Count(files.Count, "file")} {(files.Count == 1 ? "has" : "have")} no Series Instance UID {DicomTags.SeriesInstanceUid}, so {(files.Count == 1 ? "it cannot" : "they cannot")} be assigned to a series (e.g. {Name(files[0])})");
        }

        var slices = files.Select(Read).ToList();
        RequireTag(problems, slices, s => s.Position is null, "Image Position (Patient)", DicomTags.ImagePositionPatient, "3 numbers");
        RequireTag(problems, slices, s => s.Orientation is null, "Image Orientation (Patient)", DicomTags.ImageOrientationPatient, "6 numbers");
        RequireTag(problems, slices, s => s.Rows is null, "Rows", DicomTags.Rows, "a non-zero number");
        RequireTag(problems, slices, s => s.Columns is null, "Columns", DicomTags.Columns, "a non-zero number");
        RequireTag(problems, slices, s => s.PixelSpacing is null, "Pixel Spacing", DicomTags.PixelSpacing, "2 positive numbers");
        var multiFrame = slices.Where(s => s.Frames > 1).ToList();
        if (multiFrame.Count > 0)
        {
            problems.Add($"{Count(multiFrame.Count, "file")} {(multiFrame.Count == 1 ? "is" : "are")} multi-frame (e.g. {Name(multiFrame[0].Source)} has {multiFrame[0].Frames} frames); a series must be sent as one file per slice");
        }

        if (problems.Count > 0)
        {
            return new SeriesAssembly(uid, modality, files, null, problems);
        }

        var first = slices[0];
        var orientation = first.Orientation!;
        var rowDir = orientation[..3];
        var colDir = orientation[3..];
        if (Math.Abs(Norm(rowDir) - 1) > OrientationTolerance || Math.Abs(Norm(colDir) - 1) > OrientationTolerance || Math.Abs(Dot(rowDir, colDir)) > OrientationTolerance)
        {
            problems.Add($"Image Orientation (Patient) {DicomTags.ImageOrientationPatient} of {Name(first.Source)} is {Join(orientation)}, which is not two perpendicular unit vectors");
            return new SeriesAssembly(uid, modality, files, null, problems);
        }

        var normal = Normalize(Cross(rowDir, colDir));

        // Same orientation, matrix, pixel spacing and frame of reference in every slice.
        var tilted = slices.Where(s => s.Orientation!.Zip(orientation, (a, b) => Math.Abs(a - b)).Max() > OrientationTolerance).ToList();
        if (tilted.Count > 0)
        {
            problems.Add($"Image Orientation (Patient) {DicomTags.ImageOrientationPatient} differs between slices: {Name(first.Source)} has {Join(orientation)} but {Name(tilted[0].Source)} has {Join(tilted[0].Orientation!)} ({Count(tilted.Count, "slice")} differ); a volume needs one orientation");
        }

        Mismatch(problems, slices, s => s.Rows!.Value.ToString(CultureInfo.InvariantCulture), "Rows", DicomTags.Rows);
        Mismatch(problems, slices, s => s.Columns!.Value.ToString(CultureInfo.InvariantCulture), "Columns", DicomTags.Columns);
        var spacing = first.PixelSpacing!;
        var otherSpacing = slices.FirstOrDefault(s => Math.Abs(s.PixelSpacing![0] - spacing[0]) > PixelSpacingToleranceMm || Math.Abs(s.PixelSpacing![1] - spacing[1]) > PixelSpacingToleranceMm);
        if (otherSpacing is not null)
        {
            problems.Add($"Pixel Spacing {DicomTags.PixelSpacing} differs between slices: {Name(first.Source)} has {Join(spacing)} mm but {Name(otherSpacing.Source)} has {Join(otherSpacing.PixelSpacing!)} mm");
        }

        Mismatch(problems, slices, s => s.FrameOfReference ?? "(none)", "Frame of Reference UID", DicomTags.FrameOfReferenceUid);

        // Sorted by the projection of each position on the normal; ties (duplicates) kept in a stable order by file name.
        var sorted = slices
            .Select(s => (Slice: s, Along: Dot(s.Position!, normal)))
            .OrderBy(x => x.Along)
            .ThenBy(x => x.Slice.Source.Path, StringComparer.Ordinal)
            .ToList();
        var sortedFiles = sorted.Select(x => x.Slice.Source).ToList();

        // Every origin on one line along the normal: otherwise (gantry tilt, sheared stack) the z-major volume is distorted.
        var lateralTolerance = Math.Max(MinSpacingToleranceMm, 0.1 * Math.Min(spacing[0], spacing[1]));
        var origin = sorted[0].Slice.Position!;
        var sheared = sorted
            .Select(x => (x.Slice, Offset: Norm(Subtract(Subtract(x.Slice.Position!, origin), Scale(normal, x.Along - sorted[0].Along)))))
            .FirstOrDefault(x => x.Offset > lateralTolerance);
        if (sheared.Slice is not null)
        {
            problems.Add($"slices are not stacked along the normal of the image plane: {Name(sheared.Slice.Source)} lies {Mm(sheared.Offset)} mm sideways of {Name(sorted[0].Slice.Source)} (gantry tilt or a sheared stack); resample the series to a regular grid before sending it");
        }

        double sliceSpacing;
        if (sorted.Count == 1)
        {
            sliceSpacing = first.Source.Dataset.GetNumber(DicomTags.SliceThickness)
                ?? first.Source.Dataset.GetNumber(DicomTags.SpacingBetweenSlices)
                ?? 0;
        }
        else
        {
            sliceSpacing = CheckSpacing(problems, sorted);
        }

        if (problems.Count > 0)
        {
            return new SeriesAssembly(uid, modality, sortedFiles, null, problems);
        }

        var geometry = new SeriesGeometry(first.Rows!.Value, first.Columns!.Value, sorted.Count, [.. spacing], sliceSpacing, [.. orientation], normal,
            [.. origin], first.FrameOfReference);
        return new SeriesAssembly(uid, modality, sortedFiles, geometry, problems);
    }

    /// <summary>
    /// Checks the gaps between sorted slices against the series' spacing (the lower median gap, so one missing or displaced
    /// slice does not move it) and returns the mean spacing (last − first)/(n − 1) for a valid series.
    /// </summary>
    private static double CheckSpacing(List<string> problems, List<(Slice Slice, double Along)> sorted)
    {
        var gaps = new List<(double Gap, int Index)>();
        for (var i = 1; i < sorted.Count; i++)
        {
            gaps.Add((sorted[i].Along - sorted[i - 1].Along, i));
        }

        var duplicates = gaps.Where(g => g.Gap <= MinSpacingToleranceMm).ToList();
        foreach (var (_, i) in duplicates)
        {
            problems.Add($"two slices at the same position {Mm(sorted[i].Along)} mm along the normal: {Name(sorted[i - 1].Slice.Source)} and {Name(sorted[i].Slice.Source)}; remove the duplicate");
        }

        var positive = gaps.Where(g => g.Gap > MinSpacingToleranceMm).Select(g => g.Gap).Order().ToList();
        if (positive.Count == 0)
        {
            return 0;
        }

        var nominal = positive[(positive.Count - 1) / 2];
        var tolerance = Math.Max(MinSpacingToleranceMm, RelativeSpacingTolerance * nominal);
        foreach (var (gap, i) in gaps)
        {
            if (gap <= MinSpacingToleranceMm || Math.Abs(gap - nominal) <= tolerance)
            {
                continue;
            }

            var below = sorted[i - 1];
            var above = sorted[i];
            var multiple = (int)Math.Round(gap / nominal);
            if (multiple >= 2 && Math.Abs(gap - multiple * nominal) <= tolerance * multiple)
            {
                var what = multiple == 2 ? "slice missing" : $"{multiple - 1} slices missing";
                problems.Add($"{what} between {Mm(below.Along)} mm ({Name(below.Slice.Source)}) and {Mm(above.Along)} mm ({Name(above.Slice.Source)}) along the normal (expected spacing {Mm(nominal)} mm); send the complete series");
            }
            else
            {
                problems.Add($"uneven slice spacing: {Mm(gap)} mm between {Mm(below.Along)} mm ({Name(below.Slice.Source)}) and {Mm(above.Along)} mm ({Name(above.Slice.Source)}) along the normal, where the series' spacing is {Mm(nominal)} mm (tolerance {Mm(tolerance)} mm); check for a displaced slice or a mixed reconstruction");
            }
        }

        return (sorted[^1].Along - sorted[0].Along) / (sorted.Count - 1);
    }

    private sealed record Slice(SliceSource Source, double[]? Position, double[]? Orientation, int? Rows, int? Columns, double[]? PixelSpacing,
        string? FrameOfReference, int Frames);

    private static Slice Read(SliceSource source)
    {
        var ds = source.Dataset;
        var position = ds.GetNumbers(DicomTags.ImagePositionPatient) is { Length: 3 } p && p.All(double.IsFinite) ? p : null;
        var orientation = ds.GetNumbers(DicomTags.ImageOrientationPatient) is { Length: 6 } o && o.All(double.IsFinite) ? o : null;
        var spacing = ds.GetNumbers(DicomTags.PixelSpacing) is { Length: 2 } s && s.All(v => double.IsFinite(v) && v > 0) ? s : null;
        int? rows = ds.GetUnsignedShort(DicomTags.Rows) is { } r and > 0 ? r : null;
        int? columns = ds.GetUnsignedShort(DicomTags.Columns) is { } c and > 0 ? c : null;
        var frames = ds.GetNumber(DicomTags.NumberOfFrames) is { } f && f > 1 ? (int)f : 1;
        return new Slice(source, position, orientation, rows, columns, spacing, ds.GetString(DicomTags.FrameOfReferenceUid), frames);
    }

    private static void RequireTag(List<string> problems, List<Slice> slices, Func<Slice, bool> missing, string name, DicomTag tag, string expected)
    {
        var bad = slices.Where(missing).ToList();
        if (bad.Count > 0)
        {
            problems.Add($"{name} {tag} is missing or not {expected} in {bad.Count} of {Count(slices.Count, "file")} (e.g. {Name(bad[0].Source)}); the slices cannot be placed without it");
        }
    }

    private static void Mismatch(List<string> problems, List<Slice> slices, Func<Slice, string> value, string name, DicomTag tag)
    {
        var reference = value(slices[0]);
        var other = slices.FirstOrDefault(s => value(s) != reference);
        if (other is not null)
        {
            problems.Add($"{name} {tag} differs between slices: {Name(slices[0].Source)} has {reference} but {Name(other.Source)} has {value(other)}; a series must be one volume");
        }
    }

    private static string Name(SliceSource s) => Path.GetFileName(s.Path) is { Length: > 0 } n ? n : s.Path;

    private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");

    private static string Mm(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Join(double[] values) => string.Join('\\', values.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)));

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double[] Cross(double[] a, double[] b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

    private static double[] Normalize(double[] a) => Scale(a, 1 / Norm(a));

    private static double[] Scale(double[] a, double s) => [a[0] * s, a[1] * s, a[2] * s];

    private static double[] Subtract(double[] a, double[] b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
