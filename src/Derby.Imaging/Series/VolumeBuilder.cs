using Derby.Imaging.Dicom;

namespace Derby.Imaging.Series;

/// <summary>
/// Decodes a valid series into one float volume, z-major (slice, row, column) in the sorted slice order, with each slice's
/// own Rescale Slope (0028,1053) and Intercept (0028,1052): PET slopes vary from slice to slice. Slices are decoded in
/// parallel. Native little-endian 16-bit slices whose pixel bytes the reader located (<see cref="SliceSource.NativePixelData"/>)
/// are read straight from their files, without a second DICOM parse; every other layout (compressed, big endian, 8 or 32 bits)
/// goes through the reader.
/// </summary>
public static class VolumeBuilder
{
    /// <summary>CT in HU: stored × slope + intercept of each slice (slope 1 and intercept 0 where absent).</summary>
    /// <exception cref="InvalidOperationException">The series was refused by <see cref="SeriesAssembler"/>.</exception>
    /// <exception cref="DicomReadException">A slice cannot be decoded, or its pixels do not match the series' geometry.</exception>
    public static float[] BuildHu(SeriesAssembly series, IDicomFileReader reader) =>
        Build(series, reader, 1.0, slopeRequired: false, null);

    /// <summary>
    /// <see cref="BuildHu(SeriesAssembly, IDicomFileReader)"/> into a caller's buffer of at least slices × rows × columns
    /// floats (a worker going through many series reuses one, instead of paging in a fresh volume of hundreds of megabytes
    /// each time); returns the part written.
    /// </summary>
    public static Memory<float> BuildHu(SeriesAssembly series, IDicomFileReader reader, float[] destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Build(series, reader, 1.0, slopeRequired: false, destination);
        return destination.AsMemory(0, VoxelCount(series));
    }

    /// <summary>Voxels of a valid series' volume (slices × rows × columns).</summary>
    /// <exception cref="InvalidOperationException">The series was refused.</exception>
    public static int VoxelCount(SeriesAssembly series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return series is { IsValid: true, Geometry: { } g }
            ? checked(g.Rows * g.Columns * g.Slices)
            : throw new InvalidOperationException($"Series {series.SeriesInstanceUid} was refused and cannot be built: {string.Join("; ", series.Problems)}");
    }

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

        return Build(series, reader, suvFactor, slopeRequired: true, null);
    }

    private static float[] Build(SeriesAssembly series, IDicomFileReader reader, double factor, bool slopeRequired, float[]? destination)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(reader);
        if (!series.IsValid || series.Geometry is not { } g)
        {
            throw new InvalidOperationException($"Series {series.SeriesInstanceUid} was refused and cannot be built: {string.Join("; ", series.Problems)}");
        }

        var plane = g.Rows * g.Columns;
        var count = checked(plane * g.Slices);
        if (destination is not null && destination.Length < count)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; the series needs {count}", nameof(destination));
        }

        // Not zeroed first (300 MB for 300 CT slices of 512 × 512): every slice below writes all its voxels, or throws.
        var volume = destination ?? GC.AllocateUninitializedArray<float>(count);
        try
        {
            DecodeSlices(series, reader, factor, slopeRequired, g, volume);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<DicomReadException>().FirstOrDefault() is { } first)
        {
            // The first slice that could not be read, as documented, rather than the parallel loop's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }

        return volume;
    }

    private static void DecodeSlices(SeriesAssembly series, IDicomFileReader reader, double factor, bool slopeRequired, SeriesGeometry g, float[] volume)
    {
        var plane = g.Rows * g.Columns;
        Parallel.For(0, series.Slices.Count, k =>
        {
            var slice = series.Slices[k];
            var (slope, intercept) = Rescale(slice, slopeRequired);
            var target = volume.AsSpan(k * plane, plane);
            if (TryReadNative(slice, g.Rows, g.Columns, slope, intercept, factor, target))
            {
                return;
            }

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
    }

    /// <summary>
    /// Native little-endian, 16-bit, single-sample, single-frame slices whose pixel bytes the reader located: the bytes are
    /// read from the file at their offset (pooled buffer) and rescaled. False, writing nothing, for any other layout.
    /// </summary>
    private static bool TryReadNative(SliceSource slice, int rows, int columns, double slope, double intercept, double factor, Span<float> target)
    {
        if (slice.NativePixelData is not { } pixels || !BitConverter.IsLittleEndian)
        {
            return false;
        }

        var ds = slice.Dataset;
        var frames = ds.GetNumber(DicomTags.NumberOfFrames) ?? 1;
        var bitsStored = ds.GetUnsignedShort(DicomTags.BitsStored) ?? 16;
        if (ds.GetUnsignedShort(DicomTags.BitsAllocated) != 16 || (ds.GetUnsignedShort(DicomTags.SamplesPerPixel) ?? 1) != 1 || frames != 1
            || ds.GetUnsignedShort(DicomTags.Rows) != rows || ds.GetUnsignedShort(DicomTags.Columns) != columns || bitsStored is < 1 or > 16)
        {
            return false;
        }

        var need = rows * columns * 2;
        if (pixels.Length < need)
        {
            throw new DicomReadException(slice.Path, $"is truncated: the pixel data has {pixels.Length} bytes where the image needs {need}");
        }

        var signed = ds.GetUnsignedShort(DicomTags.PixelRepresentation) == 1;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(need);
        try
        {
            using (var handle = File.OpenHandle(slice.Path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                if (RandomAccess.GetLength(handle) != pixels.FileLength)
                {
                    throw new DicomReadException(slice.Path, "changed after it was read (its length differs): read the series again");
                }

                var span = buffer.AsSpan(0, need);
                var done = 0;
                while (done < need)
                {
                    var n = RandomAccess.Read(handle, span[done..], pixels.Offset + done);
                    if (n <= 0)
                    {
                        throw new DicomReadException(slice.Path, $"is truncated: the pixel data has {done} bytes where the image needs {need}");
                    }

                    done += n;
                }
            }

            StoredValueRescaler.Rescale16(buffer.AsSpan(0, need), signed, bitsStored, slope, intercept, factor, target);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return true;
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
