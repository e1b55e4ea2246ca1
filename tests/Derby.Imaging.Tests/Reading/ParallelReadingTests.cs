using System.Text;
using Derby.Imaging.Dicom;
using Derby.Imaging.Tests.Series;

namespace Derby.Imaging.Tests.Reading;

/// <summary>
/// Regression: GdcmDicomFileReader.Read on several threads at once lost attributes (a file's Rows or Columns read as
/// missing) because GDCM's binding returns a VR's name from one static buffer shared by all threads.
/// </summary>
[Collection(SyntheticStudyCollection.Name)]
public sealed class ParallelReadingTests(SyntheticStudyFixture study)
{
    [Fact]
    public void Read_GivesTheSameDatasets_WhenFilesAreReadInParallel()
    {
        // Found by the ingest benchmark (300 files of 512 × 512, a few files per run lost Rows, Columns or positions); here
        // the race shows only now and then, so this is a guard rather than a reliable reproduction. Large slices and the
        // synthetic PET headers (with a sequence) are read together.
        var directory = Path.Combine(Path.GetTempPath(), "derby-parallel-read-" + Guid.NewGuid().ToString("N"));
        try
        {
            var writer = new Derby.Imaging.Gdcm.GdcmDicomFileWriter();
            var large = Enumerable.Range(0, 48).Select(k =>
            {
                var path = Path.Combine(directory, $"{k:D3}.dcm");
                writer.Write(LargeSlice(k), path);
                return path;
            });
            var patient = study.UnfaultedPatients.First();
            var folder = Path.Combine(study.Directory, "sites", patient.Site, "dicom", patient.Pseudonym, "PT");
            var files = large.ToList().Concat(Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal)).ToArray();
            var expected = files.Select(f => Fingerprint(study.Reader.Read(f).Dataset)).ToArray();

            for (var round = 0; round < 10; round++)
            {
                var actual = new string[files.Length];
                Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = Fingerprint(study.Reader.Read(files[i]).Dataset));

                for (var i = 0; i < files.Length; i++)
                {
                    Assert.True(expected[i] == actual[i], $"{Path.GetFileName(files[i])} read differently in parallel (round {round})");
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DicomDataset LargeSlice(int k) => new DicomDataset()
        .Text(DicomTags.SopClassUid, DicomVR.UI, DicomUid.CtImageStorage)
        .Text(DicomTags.SopInstanceUid, DicomVR.UI, $"1.2.826.0.1.3680043.10.543.9.{k + 1}")
        .Text(DicomTags.Modality, DicomVR.CS, "CT")
        .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, "1.2.826.0.1.3680043.10.543.9")
        .Decimal(DicomTags.ImagePositionPatient, -191.625, -191.625, 1.25 * k)
        .Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0)
        .UnsignedShort(DicomTags.SamplesPerPixel, 1)
        .Text(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
        .UnsignedShort(DicomTags.Rows, 512)
        .UnsignedShort(DicomTags.Columns, 512)
        .Decimal(DicomTags.PixelSpacing, 0.75, 0.75)
        .UnsignedShort(DicomTags.BitsAllocated, 16)
        .UnsignedShort(DicomTags.BitsStored, 16)
        .UnsignedShort(DicomTags.HighBit, 15)
        .UnsignedShort(DicomTags.PixelRepresentation, 0)
        .Decimal(DicomTags.RescaleIntercept, -1024)
        .Decimal(DicomTags.RescaleSlope, 1)
        .Add(new DicomBinary(DicomTags.PixelData, DicomVR.OW, new byte[512 * 512 * 2]));

    [Fact]
    public void ReadFrame_GivesTheSameValues_WhenFilesAreDecodedInParallel()
    {
        var patient = study.UnfaultedPatients.First();
        var files = study.Slices(patient, "PT").Select(s => s.Path).ToArray();
        var expected = files.Select(f => study.Reader.ReadFrame(f).Values).ToArray();

        var actual = new long[files.Length][];
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = study.Reader.ReadFrame(files[i]).Values);

        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    private static string Fingerprint(DicomDataset ds)
    {
        var text = new StringBuilder();
        foreach (var element in ds.Elements)
        {
            text.Append(element.Tag).Append(element.VR).Append('=');
            switch (element)
            {
                case DicomText t:
                    text.Append(t.Value);
                    break;
                case DicomBinary b:
                    text.Append(Convert.ToHexString(b.Value));
                    break;
                case DicomSequence s:
                    foreach (var item in s.Items)
                    {
                        text.Append('[').Append(Fingerprint(item)).Append(']');
                    }

                    break;
            }

            text.Append('|');
        }

        return text.ToString();
    }
}
