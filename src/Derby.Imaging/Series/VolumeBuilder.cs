using Derby.Imaging.Dicom;

namespace Derby.Imaging.Series;

/// <summary>
/// Decodes a valid series into one float volume, z-major (slice, row, column) in the sorted slice order, with each slice's
/// own Rescale Slope (0028,1053) and Intercept (0028,1052): PET slopes vary from slice to slice. Slices are decoded in
/// parallel (each through its own reader call).
/// </summary>
public static class VolumeBuilder
{
    /// <summary>CT in HU: stored × slope + intercept of each slice (slope 1 and intercept 0 where absent).</summary>
    /// <exception cref="InvalidOperationException">The series was refused by <see cref="SeriesAssembler"/>.</exception>
    /// <exception cref="DicomReadException">A slice cannot be decoded, or its pixels do not match the series' geometry.</exception>
    public static float[] BuildHu(SeriesAssembly series, IDicomFileReader reader) =>
        Build(series, reader, 1.0, slopeRequired: false);

    /// <summary>
    /// PET in SUV: (stored × slope + intercept) × <paramref name="suvFactor"/> of each slice, the factor being the series'
    /// (<c>SuvCalculator.Compute</c>). Rescale Slope is required (PET stores one per slice).
    /// </summary>
    /// <exception cref="InvalidOperationException">The series was refused by <see cref="SeriesAssembler"/>.</exception>
    /// <exception cref="DicomReadException">A slice cannot be decoded, lacks Rescale Slope, or does not match the series' geometry.</exception>
    public static float[] BuildSuv(SeriesAssembly series, IDicomFileReader reader, double suvFactor)
    {
        if (!double.IsFinite(suvFactor) || suvFactor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(suvFactor), suvFactor, "The SUV factor must be a positive number");
        }

        return Build(series, reader, suvFactor, slopeRequired: true);
    }

    private static float[] Build(SeriesAssembly series, IDicomFileReader reader, double factor, bool slopeRequired)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(reader);
        if (!series.IsValid || series.Geometry is not { } g)
        {
            throw new InvalidOperationException($"Series {series.SeriesInstanceUid} was refused and cannot be built: {string.Join("; ", series.Problems)}");
        }

        var plane = g.Rows * g.Columns;
        // Not zeroed first (300 MB for 300 CT slices of 512 × 512): every slice below writes all its voxels, or throws.
        var volume = GC.AllocateUninitializedArray<float>(checked(plane * g.Slices));
        Parallel.For(0, series.Slices.Count, k =>
        {
            var slice = series.Slices[k];
            var (slope, intercept) = Rescale(slice, slopeRequired);
            var target = volume.AsSpan(k * plane, plane);
            if (reader is IRescalingFrameReader fast && fast.TryReadRescaled(slice.Path, g.Rows, g.Columns, slope, intercept, factor, target))
            {
                return;
            }

            var frame = reader.ReadFrame(slice.Path);
            if (frame.Rows != g.Rows || frame.Columns != g.Columns || frame.SamplesPerPixel != 1)
            {
                throw new DicomReadException(slice.Path,
                    $"has pixel data of {frame.Rows}×{frame.Columns}×{frame.SamplesPerPixel} where the series is {g.Rows}×{g.Columns} single-sample");
            }

            // (stored × slope + intercept) × factor in double, rounded once to float (× 1.0 for HU is exact).
            var values = frame.Values;
            for (var p = 0; p < target.Length; p++)
            {
                target[p] = (float)((values[p] * slope + intercept) * factor);
            }
        });
        return volume;
    }

    private static (double Slope, double Intercept) Rescale(SliceSource slice, bool slopeRequired)
    {
        var ds = slice.Dataset;
        var slope = ds.GetNumber(DicomTags.RescaleSlope);
        if (slope is null && (slopeRequired || ds.GetString(DicomTags.RescaleSlope) is not null))
        {
            throw new DicomReadException(slice.Path, $"Rescale Slope {DicomTags.RescaleSlope} is missing or not a number");
        }

        if (slope is { } s && (!double.IsFinite(s) || s == 0))
        {
            throw new DicomReadException(slice.Path, $"Rescale Slope {DicomTags.RescaleSlope} is {s}; it must be a non-zero number");
        }

        var intercept = ds.GetNumber(DicomTags.RescaleIntercept);
        if (intercept is null && ds.GetString(DicomTags.RescaleIntercept) is not null || intercept is { } i && !double.IsFinite(i))
        {
            throw new DicomReadException(slice.Path, $"Rescale Intercept {DicomTags.RescaleIntercept} is not a number");
        }

        return (slope ?? 1.0, intercept ?? 0.0);
    }
}
