using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;
using Derby.Imaging.Series;

namespace Derby.Benchmarks;

/// <summary>
/// Ingesting a 300-slice 512×512 CT series, files to HU volume, against GDCM's bare decode loop over the same files in the
/// same run (the target: under 20% overhead). The series is written once in GlobalSetup to a temporary folder:
/// an elliptic body (40 HU) with a liver-like disc (62 HU) in air (−1000 HU), stored as HU + 1024 (unsigned 16-bit,
/// Rescale Intercept −1024), 0.75 mm pixels, 1.25 mm slices. Times are per file (OperationsPerInvoke = 300), so
/// files/s = 1 / Mean. The files stay in the page cache between iterations: this measures decoding, not the disk.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    public const int Slices = 300;
    public const int Matrix = 512;
    private const double PixelMm = 0.75;
    private const double SliceMm = 1.25;

    private string directory = "";
    private string[] files = [];
    private byte[] buffer = [];
    private GdcmDicomFileReader reader = null!;
    private float[]? reused;

    [GlobalSetup]
    public void Setup()
    {
        reader = new GdcmDicomFileReader();
        directory = Path.Combine(Path.GetTempPath(), "derby-ingest-bench-" + Environment.ProcessId);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var writer = new GdcmDicomFileWriter();
        files = new string[Slices];
        // Written in reverse instance order under shuffled names, so the assembler's sort does real work.
        Parallel.For(0, Slices, k =>
        {
            var path = Path.Combine(directory, $"{(k * 7919) % Slices:D4}.dcm");
            writer.Write(Slice(k), path);
            files[k] = path;
        });
        files = [.. files.Order(StringComparer.Ordinal)];
        buffer = new byte[Matrix * Matrix * 2];
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    /// <summary>GDCM's own read and decode of each file, nothing else (one reused buffer).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Slices, Description = "GDCM ImageReader.Read + GetBuffer, serial")]
    public long GdcmDecodeLoop()
    {
        long sum = 0;
        foreach (var path in files)
        {
            using var imageReader = new gdcm.ImageReader();
            imageReader.SetFileName(path);
            if (!imageReader.Read())
            {
                throw new InvalidOperationException(path);
            }

            using var image = imageReader.GetImage();
            if (!image.GetBuffer(buffer))
            {
                throw new InvalidOperationException(path);
            }

            sum += buffer[Matrix];
        }

        return sum;
    }

    /// <summary>The same bare loop spread over the cores, to show what parallelism alone gives.</summary>
    [Benchmark(OperationsPerInvoke = Slices, Description = "GDCM ImageReader.Read + GetBuffer, parallel over files")]
    public long GdcmDecodeParallel()
    {
        long sum = 0;
        Parallel.ForEach(files, () => new byte[Matrix * Matrix * 2], (path, _, local) =>
        {
            using var imageReader = new gdcm.ImageReader();
            imageReader.SetFileName(path);
            if (!imageReader.Read())
            {
                throw new InvalidOperationException(path);
            }

            using var image = imageReader.GetImage();
            if (!image.GetBuffer(local))
            {
                throw new InvalidOperationException(path);
            }

            Interlocked.Add(ref sum, local[Matrix]);
            return local;
        }, _ => { });
        return sum;
    }

    /// <summary>
    /// The bare loop plus what any files-to-volume path must add: each decoded slice written into a float volume (the same
    /// reused volume, in file order, HU = stored − 1024), over the cores. The floor for an ingest that produces a volume.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Slices, Description = "GDCM decode + write each slice into a float volume, parallel (volume floor)")]
    public float GdcmDecodeIntoVolume()
    {
        floorVolume ??= GC.AllocateUninitializedArray<float>(Slices * Matrix * Matrix);
        var volume = floorVolume;
        Parallel.For(0, files.Length, () => new byte[Matrix * Matrix * 2], (k, _, local) =>
        {
            using var imageReader = new gdcm.ImageReader();
            imageReader.SetFileName(files[k]);
            if (!imageReader.Read())
            {
                throw new InvalidOperationException(files[k]);
            }

            using var image = imageReader.GetImage();
            if (!image.GetBuffer(local))
            {
                throw new InvalidOperationException(files[k]);
            }

            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(local);
            var target = volume.AsSpan(k * Matrix * Matrix, Matrix * Matrix);
            for (var p = 0; p < target.Length; p++)
            {
                target[p] = words[p] - 1024;
            }

            return local;
        }, _ => { });
        return volume[volume.Length / 2];
    }

    private float[]? floorVolume;

    /// <summary>Derby's header phase alone (no pixel decode, no volume), to show where the full path's time goes.</summary>
    [Benchmark(OperationsPerInvoke = Slices, Description = "Derby Read + SeriesAssembler only (headers)")]
    public int DerbyHeaders() => SeriesAssembler.Assemble(ReadAll()).Single().Slices.Count;

    /// <summary>Derby: read every header, assemble the series (checks and sort), decode to an HU volume.</summary>
    [Benchmark(OperationsPerInvoke = Slices, Description = "Derby Read + SeriesAssembler + VolumeBuilder.BuildHu")]
    public float DerbyIngest()
    {
        var series = SeriesAssembler.Assemble(ReadAll()).Single();
        if (!series.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", series.Problems));
        }

        var hu = VolumeBuilder.BuildHu(series, reader);
        return hu[hu.Length / 2];
    }

    /// <summary>
    /// The same, decoding into one volume buffer reused from call to call, as a worker going through many series does (and
    /// as the baseline reuses its slice buffer): what is left is reading and converting, without paging in fresh memory.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Slices, Description = "Derby Read + SeriesAssembler + VolumeBuilder.BuildHu, reused volume")]
    public float DerbyIngestReusedVolume()
    {
        var series = SeriesAssembler.Assemble(ReadAll()).Single();
        if (!series.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", series.Problems));
        }

        reused ??= GC.AllocateUninitializedArray<float>(VolumeBuilder.VoxelCount(series));
        var hu = VolumeBuilder.BuildHu(series, reader, reused).Span;
        return hu[hu.Length / 2];
    }

    /// <summary>The volume phase alone: BuildHu into the reused volume from headers read beforehand (for the breakdown).</summary>
    public float VolumeOnly()
    {
        assembled ??= SeriesAssembler.Assemble(ReadAll()).Single();
        reused ??= GC.AllocateUninitializedArray<float>(VolumeBuilder.VoxelCount(assembled));
        return VolumeBuilder.BuildHu(assembled, reader, reused).Span[reused.Length / 2];
    }

    /// <summary>The bytes alone: each file read whole into one reused buffer, in parallel (the I/O floor of the volume phase).</summary>
    public long FileBytesOnly()
    {
        long sum = 0;
        Parallel.For(0, files.Length, () => new byte[Matrix * Matrix * 2 + 4096], (i, _, local) =>
        {
            using var handle = File.OpenHandle(files[i]);
            var n = RandomAccess.Read(handle, local, 0);
            Interlocked.Add(ref sum, n);
            return local;
        }, _ => { });
        return sum;
    }

    private SeriesAssembly? assembled;

    private SliceSource[] ReadAll()
    {
        var slices = new SliceSource[files.Length];
        Parallel.For(0, files.Length, i => slices[i] = SliceSource.From(reader.Read(files[i])));
        return slices;
    }

    private static DicomDataset Slice(int k)
    {
        var z = -SliceMm * Slices / 2 + k * SliceMm;
        var origin = -PixelMm * Matrix / 2 + PixelMm / 2;
        var pixels = new byte[Matrix * Matrix * 2];
        for (var r = 0; r < Matrix; r++)
        {
            var y = origin + r * PixelMm;
            for (var c = 0; c < Matrix; c++)
            {
                var x = origin + c * PixelMm;
                var hu = (x / 160) * (x / 160) + (y / 110) * (y / 110) > 1 ? -1000
                    : (x + 60) * (x + 60) + y * y < 50 * 50 ? 62 + (r * 31 + c * 17 + k) % 9 - 4
                    : 40 + (r * 13 + c * 7 + k) % 11 - 5;
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan((r * Matrix + c) * 2), (ushort)(hu + 1024));
            }
        }

        var uid = "1.2.826.0.1.3680043.10.543.7";
        return new DicomDataset()
            .Text(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.CtImageStorage)
            .Text(DicomTags.SopInstanceUid, DicomVR.UI, $"{uid}.2.{k + 1}")
            .Text(DicomTags.Modality, DicomVR.CS, "CT")
            .Text(DicomTags.PatientId, DicomVR.LO, "BENCH-0001")
            .Decimal(DicomTags.SliceThickness, SliceMm)
            .Text(DicomTags.StudyInstanceUid, DicomVR.UI, $"{uid}.1")
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, $"{uid}.3")
            .Integer(DicomTags.InstanceNumber, Slices - k)
            .Decimal(DicomTags.ImagePositionPatient, origin, origin, z)
            .Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0)
            .Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, $"{uid}.4")
            .Decimal(DicomTags.SliceLocation, z)
            .UnsignedShort(DicomTags.SamplesPerPixel, 1)
            .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .UnsignedShort(DicomTags.Rows, Matrix)
            .UnsignedShort(DicomTags.Columns, Matrix)
            .Decimal(DicomTags.PixelSpacing, PixelMm, PixelMm)
            .UnsignedShort(DicomTags.BitsAllocated, 16)
            .UnsignedShort(DicomTags.BitsStored, 16)
            .UnsignedShort(DicomTags.HighBit, 15)
            .UnsignedShort(DicomTags.PixelRepresentation, 0)
            .Decimal(DicomTags.RescaleIntercept, -1024)
            .Decimal(DicomTags.RescaleSlope, 1)
            .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, pixels));
    }
}
