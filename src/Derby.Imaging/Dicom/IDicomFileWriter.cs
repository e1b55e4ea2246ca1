namespace Derby.Imaging.Dicom;

/// <summary>Writes a data set as a DICOM Part 10 file (explicit VR little endian, meta header filled from the data set).</summary>
public interface IDicomFileWriter
{
    void Write(DicomDataset dataset, string path);
}
