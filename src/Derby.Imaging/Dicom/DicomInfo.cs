namespace Derby.Imaging.Dicom;

/// <summary>
/// The identifying, geometric and pixel facts of one DICOM file (the <c>derby dicom info</c> contract). Absent attributes
/// are null; the stored statistics are over the first frame's stored values, before rescale, all samples included.
/// </summary>
public sealed record DicomInfo(
    string? SopInstanceUid,
    string? SeriesInstanceUid,
    string? StudyInstanceUid,
    string? Modality,
    string TransferSyntaxUid,
    int? Rows,
    int? Columns,
    int? BitsAllocated,
    int? PixelRepresentation,
    int? NumberOfFrames,
    double[]? PixelSpacing,
    double? SliceThickness,
    double[]? ImagePositionPatient,
    double[]? ImageOrientationPatient,
    double? RescaleSlope,
    double? RescaleIntercept,
    double? StoredMin,
    double? StoredMax,
    double? StoredMean)
{
    public static readonly DicomTag NumberOfFramesTag = new(0x0028, 0x0008);

    public static DicomInfo From(DicomFile file, DicomFrame? firstFrame)
    {
        var ds = file.Dataset;
        double[]? Numbers(DicomTag tag, string name) =>
            ds.GetString(tag) is { } text && ds.GetNumbers(tag) is null
                ? throw new DicomReadException(file.Path, $"{name} {tag} has the value '{text}', which is not a number")
                : ds.GetNumbers(tag);
        double? First(DicomTag tag, string name) => Numbers(tag, name) is [var v, ..] ? v : null;
        double? min = null, max = null, mean = null;
        if (firstFrame is { Values.Length: > 0 } f)
        {
            double sum = 0;
            var lo = long.MaxValue;
            var hi = long.MinValue;
            foreach (var v in f.Values)
            {
                sum += v;
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }

            min = lo;
            max = hi;
            mean = (double)sum / f.Values.Length;
        }

        return new DicomInfo(
            ds.GetString(DicomTags.SopInstanceUid),
            ds.GetString(DicomTags.SeriesInstanceUid),
            ds.GetString(DicomTags.StudyInstanceUid),
            ds.GetString(DicomTags.Modality),
            file.TransferSyntaxUid,
            ds.GetUnsignedShort(DicomTags.Rows),
            ds.GetUnsignedShort(DicomTags.Columns),
            ds.GetUnsignedShort(DicomTags.BitsAllocated),
            ds.GetUnsignedShort(DicomTags.PixelRepresentation),
            First(NumberOfFramesTag, "Number of Frames") is { } n ? (int)n : null,
            Numbers(DicomTags.PixelSpacing, "Pixel Spacing"),
            First(DicomTags.SliceThickness, "Slice Thickness"),
            Numbers(DicomTags.ImagePositionPatient, "Image Position (Patient)"),
            Numbers(DicomTags.ImageOrientationPatient, "Image Orientation (Patient)"),
            First(DicomTags.RescaleSlope, "Rescale Slope"),
            First(DicomTags.RescaleIntercept, "Rescale Intercept"),
            min,
            max,
            mean);
    }
}
