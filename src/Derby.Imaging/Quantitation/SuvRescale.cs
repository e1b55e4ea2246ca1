using System.Buffers.Binary;
using System.Globalization;
using Derby.Imaging.Dicom;

namespace Derby.Imaging.Quantitation;

/// <summary>
/// Per-slice conversion of stored pixel values to SUVbw. Rescale Slope varies from slice to slice in PET (each slice is
/// scaled to use the full 16-bit range), so it must be read from the slice itself:
/// SUVbw = (stored × Rescale Slope (0028,1053) + Rescale Intercept (0028,1052)) × series SUV factor.
/// </summary>
public static class SuvRescale
{
    /// <summary>The linear map stored value → SUVbw for one slice of the series <paramref name="series"/> was computed for.</summary>
    /// <exception cref="SuvException">The slice is from another series, or its Rescale Slope/Intercept is missing or unusable.</exception>
    public static SuvLinearMap ForSlice(SuvResult series, DicomDataset slice)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(slice);
        var uid = slice.GetString(DicomTags.SeriesInstanceUid);
        if (!string.Equals(uid, series.SeriesInstanceUid, StringComparison.Ordinal))
        {
            throw new SuvException(
                $"Series Instance UID {DicomTags.SeriesInstanceUid} of the slice is '{uid}', not the series '{series.SeriesInstanceUid}' the SUV factor belongs to",
                DicomTags.SeriesInstanceUid);
        }

        var slopeText = slice.GetString(DicomTags.RescaleSlope)
            ?? throw new SuvException($"Rescale Slope {DicomTags.RescaleSlope} is missing; PET stores a slope per slice", DicomTags.RescaleSlope);
        var slope = slice.GetNumber(DicomTags.RescaleSlope) is { } s && double.IsFinite(s) && s != 0
            ? s
            : throw new SuvException($"Rescale Slope {DicomTags.RescaleSlope} is '{slopeText}'; it must be a non-zero number", DicomTags.RescaleSlope);
        // Intercept is type 1 in the PET Image module but 0 in practice; an absent one is read as 0.
        var intercept = slice.GetString(DicomTags.RescaleIntercept) is { } interceptText
            ? slice.GetNumber(DicomTags.RescaleIntercept) is { } i && double.IsFinite(i)
                ? i
                : throw new SuvException($"Rescale Intercept {DicomTags.RescaleIntercept} is '{interceptText}'; it must be a number", DicomTags.RescaleIntercept)
            : 0.0;

        // Philips defines its SUV Scale Factor on stored × slope (ADR 0007); with a non-zero intercept that would be a guess.
        if (series.Rule is SuvRules.CntsPhilipsPrivate or SuvRules.CntsPhilipsActivityConcentration && intercept != 0)
        {
            throw new SuvException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Rescale Intercept {DicomTags.RescaleIntercept} is {intercept:R} in a Philips CNTS slice; the private scale factor is defined for stored × slope only"),
                DicomTags.RescaleIntercept);
        }

        return new SuvLinearMap(slope * series.SuvFactor, intercept * series.SuvFactor);
    }

    /// <summary>
    /// SUVbw of every pixel of a 16-bit single-frame slice, from its Pixel Data (7FE0,0010) (native little endian;
    /// Pixel Representation (0028,0103) picks signed or unsigned).
    /// </summary>
    public static float[] ToSuv(SuvResult series, DicomDataset slice)
    {
        var map = ForSlice(series, slice);
        if (slice[DicomTags.PixelData] is not DicomBinary { Value: var bytes })
        {
            throw new SuvException($"Pixel Data {DicomTags.PixelData} is missing or not native", DicomTags.PixelData);
        }

        if (slice.GetUnsignedShort(DicomTags.BitsAllocated) is not 16)
        {
            throw new SuvException($"Bits Allocated {DicomTags.BitsAllocated} must be 16 for PET pixel data", DicomTags.BitsAllocated);
        }

        var signed = slice.GetUnsignedShort(DicomTags.PixelRepresentation) == 1;
        var suv = new float[bytes.Length / 2];
        for (var p = 0; p < suv.Length; p++)
        {
            var span = bytes.AsSpan(p * 2, 2);
            double stored = signed ? BinaryPrimitives.ReadInt16LittleEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
            suv[p] = (float)map.Apply(stored);
        }

        return suv;
    }
}
