using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Imaging.Tests.Reading;

/// <summary>
/// Regression: <c>derby demo --scale paper</c> died now and then with SIGSEGV while the synthetic study was written (the
/// generator writes patients on every core). GDCM's reference counts (its values, sequences and items are shared through
/// smart pointers) are plain integers, not atomic: the binding's wrappers that the writer let go were freed by the .NET
/// finalizer thread, which then changed the same counts as the writing thread, and a lost update freed a value still in use.
/// </summary>
public sealed class ParallelWritingTests
{
    [Fact]
    public void Write_GivesWholeFiles_WhenSeveralThreadsWriteWhileFinalizersRun()
    {
        var directory = Path.Combine(Path.GetTempPath(), "derby-parallel-write-" + Guid.NewGuid().ToString("N"));
        var writer = new GdcmDicomFileWriter();
        var reader = new GdcmDicomFileReader();
        using var stop = new CancellationTokenSource();
        // The finalizer thread kept busy the whole time, so that it runs while the writers insert and write.
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        try
        {
            const int files = 5000;
            Parallel.For(0, files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount) },
                k => writer.Write(Slice(k), Path.Combine(directory, $"{k:D4}.dcm")));
            stop.Cancel();
            collector.Join();

            for (var k = 0; k < files; k++)
            {
                var dataset = reader.Read(Path.Combine(directory, $"{k:D4}.dcm")).Dataset;
                Assert.Equal($"1.2.826.0.1.3680043.10.543.7.{k + 1}", dataset.GetString(DicomTags.SopInstanceUid));
                var item = Assert.Single(dataset.GetItems(RadiopharmaceuticalInformation));
                Assert.Equal($"{300 + k}", item.GetString(RadionuclideTotalDose));
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static readonly DicomTag RadiopharmaceuticalInformation = new(0x0054, 0x0016);
    private static readonly DicomTag RadionuclideTotalDose = new(0x0018, 0x1074);

    /// <summary>A small PET slice header with the sequence a PET image carries, and a few pixels.</summary>
    private static DicomDataset Slice(int k) => new DicomDataset()
        .Text(DicomTags.SopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.128")
        .Text(DicomTags.SopInstanceUid, DicomVR.UI, $"1.2.826.0.1.3680043.10.543.7.{k + 1}")
        .Text(DicomTags.Modality, DicomVR.CS, "PT")
        .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.10.543.7")
        .Decimal(DicomTags.ImagePositionPatient, -300, -300, 3.0 * k)
        .Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0)
        .Sequence(RadiopharmaceuticalInformation, new DicomDataset()
            .Text(RadionuclideTotalDose, DicomVR.DS, $"{300 + k}")
            .Text(new DicomTag(0x0018, 0x1075), DicomVR.DS, "6586.2"))
        .UnsignedShort(DicomTags.SamplesPerPixel, 1)
        .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
        .UnsignedShort(DicomTags.Rows, 16)
        .UnsignedShort(DicomTags.Columns, 16)
        .Decimal(DicomTags.PixelSpacing, 4, 4)
        .UnsignedShort(DicomTags.BitsAllocated, 16)
        .UnsignedShort(DicomTags.BitsStored, 16)
        .UnsignedShort(DicomTags.HighBit, 15)
        .UnsignedShort(DicomTags.PixelRepresentation, 0)
        .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, new byte[16 * 16 * 2]));
}
