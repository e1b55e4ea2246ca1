using Derby.Imaging.Dicom;

namespace Derby.Imaging.Series;

/// <summary>One single-frame image file and its data set as read (pixel data not needed).</summary>
/// <param name="Path">The file the data set came from; <see cref="VolumeBuilder"/> decodes its pixels from here.</param>
/// <param name="Dataset">The file's attributes.</param>
/// <param name="NativePixelData">Where its native pixel bytes lie, when the reader found them (<see cref="DicomFile.NativePixelData"/>): <see cref="VolumeBuilder"/> then reads them straight from the file.</param>
public sealed record SliceSource(string Path, DicomDataset Dataset, NativePixelData? NativePixelData = null)
{
    /// <summary>The slice of a file as <see cref="IDicomFileReader.Read"/> gave it.</summary>
    public static SliceSource From(DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new SliceSource(file.Path, file.Dataset, file.NativePixelData);
    }
}
