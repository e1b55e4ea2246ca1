namespace Derby.Imaging.Series;

/// <summary>
/// An optional fast path a DICOM reader adapter may offer <see cref="VolumeBuilder"/>: one single-frame, single-sample
/// slice decoded straight into floats, without the long[] of a <see cref="Dicom.DicomFrame"/> (2 MB for 512 × 512).
/// </summary>
internal interface IRescalingFrameReader
{
    /// <summary>
    /// Writes (stored × <paramref name="slope"/> + <paramref name="intercept"/>) × <paramref name="factor"/>, computed in
    /// double and rounded once to float, for every pixel of the file's only frame into <paramref name="target"/>; the same
    /// values <see cref="Dicom.IDicomFileReader.ReadFrame"/> gives, with the same exceptions. Returns false, writing
    /// nothing, when the file is not a layout it handles (the caller then uses ReadFrame).
    /// </summary>
    bool TryReadRescaled(string path, int rows, int columns, double slope, double intercept, double factor, Span<float> target);
}
