namespace Derby.Imaging.Dicom;

/// <summary>Writes a data set as a DICOM Part 10 file (explicit VR little endian, meta header filled from the data set).</summary>
public interface IDicomFileWriter
{
    void Write(DicomDataset dataset, string path);
}

/// <summary>Rewrites a file's attributes (e.g. de-identified) around its own pixel data.</summary>
public interface IDicomFileRewriter
{
    /// <summary>
    /// Writes <paramref name="dataset"/> (e.g. a de-identified copy of a file's attributes) with the pixel data of
    /// <paramref name="pixelSource"/> carried over unchanged, compressed or not.
    /// </summary>
    /// <exception cref="DicomReadException">The source cannot be read, or its encoding cannot be carried over.</exception>
    void WriteWithPixelsOf(DicomDataset dataset, string pixelSource, string path);
}
