namespace Derby.Imaging.Dicom;

/// <summary>A DICOM file as read: its transfer syntax and its data set (pixel data left out unless asked for).</summary>
/// <param name="Path">The file.</param>
/// <param name="TransferSyntaxUid">Transfer Syntax UID (0002,0010).</param>
/// <param name="Dataset">The attributes, without Pixel Data.</param>
/// <param name="NativePixelData">
/// Where the pixel bytes lie in the file when they can be read as they are, without a DICOM parser: native (uncompressed)
/// little-endian pixel data of defined length that ends the file; null otherwise (then only <see cref="IDicomFileReader.ReadFrame"/> decodes them).
/// </param>
public sealed record DicomFile(string Path, string TransferSyntaxUid, DicomDataset Dataset, NativePixelData? NativePixelData = null);

/// <summary>
/// The value of a native little-endian Pixel Data (7FE0,0010) element that ends its file: <see cref="Length"/> bytes from
/// <see cref="Offset"/>. <see cref="FileLength"/> is the file's length when it was read, checked again before the bytes are used.
/// </summary>
public sealed record NativePixelData(long Offset, long Length, long FileLength);

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
