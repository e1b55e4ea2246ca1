using Derby.Imaging.Dicom;

namespace Derby.Imaging.Series;

/// <summary>One single-frame image file and its data set as read (pixel data not needed).</summary>
/// <param name="Path">The file the data set came from; <see cref="VolumeBuilder"/> decodes its pixels from here.</param>
/// <param name="Dataset">The file's attributes.</param>
public sealed record SliceSource(string Path, DicomDataset Dataset);
