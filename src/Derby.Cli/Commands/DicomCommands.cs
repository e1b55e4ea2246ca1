using System.CommandLine;
using Derby.Imaging.Dicom;
using Derby.Imaging.Gdcm;

namespace Derby.Cli.Commands;

/// <summary><c>derby dicom ...</c>: the project's DICOM layer from the command line, JSON on standard output.</summary>
internal static class DicomCommands
{
    public static Command Build()
    {
        var dicom = new Command("dicom", "Read DICOM files with the project's DICOM layer (GDCM)");
        var file = new Argument<FileInfo>("file") { Description = "A DICOM file" };
        var info = new Command("info", "Identifiers, geometry, rescale and the first frame's stored-value statistics, as JSON") { file };
        info.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            try
            {
                var reader = new GdcmDicomFileReader();
                var read = reader.Read(path);
                var frame = read.Dataset.Contains(DicomTags.Rows) ? TryFrame(reader, path) : null;
                Json.Write(DicomInfo.From(read, frame));
                return 0;
            }
            catch (DicomReadException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });
        dicom.Subcommands.Add(info);
        return dicom;
    }

    private static DicomFrame? TryFrame(IDicomFileReader reader, string path)
    {
        try
        {
            return reader.ReadFrame(path);
        }
        catch (DicomReadException)
        {
            // Attributes without decodable pixels (e.g. an unsupported layout): the statistics stay null.
            return null;
        }
    }
}
