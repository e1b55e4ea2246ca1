namespace Derby.Imaging.Dicom;

/// <summary>A DICOM file as read: its transfer syntax and its data set (pixel data left out unless asked for).</summary>
public sealed record DicomFile(string Path, string TransferSyntaxUid, DicomDataset Dataset);

/// <summary>
/// Decoded stored pixel values of one frame, before any rescale: rows × columns × samples values in row-major order
/// (samples interleaved), as signed or unsigned integers of the stored bit depth.
/// </summary>
public sealed record DicomFrame(int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int BitsStored, bool Signed, int NumberOfFrames, long[] Values);

/// <summary>Reads DICOM Part 10 files (and bare data sets) of any common transfer syntax.</summary>
public interface IDicomFileReader
{
    /// <exception cref="DicomReadException">The file is not DICOM, is truncated or is malformed.</exception>
    DicomFile Read(string path);

    /// <summary>Decodes one frame's stored values, whatever the transfer syntax (JPEG, JPEG-LS, JPEG 2000, RLE, deflate, big endian).</summary>
    /// <exception cref="DicomReadException">The file has no pixel data, or it cannot be decoded.</exception>
    DicomFrame ReadFrame(string path, int frame = 0);
}

/// <summary>Why a file could not be read, in words for the person who sent it.</summary>
public sealed class DicomReadException(string path, string reason) : Exception($"{System.IO.Path.GetFileName(path)}: {reason}")
{
    public string FilePath { get; } = path;

    public string Reason { get; } = reason;
}
