using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Derby.Web.FunctionalTests.BadInput;

/// <summary>One file of a corpus item: the name it is sent under and its bytes.</summary>
internal sealed record CorpusFile(string Name, byte[] Bytes);

/// <summary>
/// The corpus items too large, too hostile or too tedious to commit as files ("gen:NAME" in corpus.json). Each
/// generator returns the files to send, or (for the STOW-RS transport cases) the whole request body.
/// </summary>
internal static class CorpusGenerators
{
    public const string Boundary = "derby-bad-input-boundary";
    private const string Patient = BadInputCorpusTests.Pseudonym;

    public static object Generate(string name) => name switch
    {
        // Malformed DICOM, one defect each on an otherwise valid slice or series (the positive control stores the unbroken ones).
        "not-dicom" => One("notes.dcm", "Patient notes: not an image at all\n"u8.ToArray()),
        "no-preamble" => One("raw.dcm", Encoding.ASCII.GetBytes("ACR-NEMA? no: just text that is long enough to be read as tags ").Concat(new byte[64]).ToArray()),
        "truncated-pixels" => One("cut.dcm", Slice(10)[..^70]),
        "lying-length-name" => One("lying.dcm", CorpusDicom.Slice(Patient, 0, "11").WithLyingLength(0x0010, 0x0010, 0xFFF0)),
        "lying-length-pixels" => One("lying-pixels.dcm", CorpusDicom.Slice(Patient, 0, "12").WithLyingLength(0x7FE0, 0x0010, 0x7FFFFFF0)),
        "wrong-transfer-syntax" => One("jpeg.dcm", With("13", d => d.TransferSyntax = "1.2.840.10008.1.2.4.50")),
        "unknown-transfer-syntax" => One("ts.dcm", With("14", d => d.TransferSyntax = "1.2.3.4.5.6.7")),
        "no-pixel-data" => One("nopixels.dcm", With("15", d => d.Remove(0x7FE0, 0x0010))),
        "no-rows" => One("norows.dcm", With("16", d => d.Remove(0x0028, 0x0010).Remove(0x0028, 0x0011))),
        "no-series-uid" => Files("19", 3, (i, d) => d.Remove(0x0020, 0x000E)),
        "no-position" => Files("20", 3, (i, d) => d.Remove(0x0020, 0x0032)),
        "modality-mr" => One("mr.dcm", With("21", d => d.Set(0x0008, 0x0060, "CS", "MR"))),
        "pet-without-dose" => CorpusDicom.Series(Patient, 3, "22", "PT").Select((d, i) => new CorpusFile($"pt{i}.dcm", d.ToBytes())).ToList(),
        "inconsistent-spacing" => Files("23", 3, (i, d) => { if (i == 1) { d.Set(0x0028, 0x0030, "DS", "2\\2"); } }),
        "inconsistent-orientation" => Files("24", 3, (i, d) => { if (i == 2) { d.Set(0x0020, 0x0037, "DS", "0\\1\\0\\1\\0\\0"); } }),
        "duplicate-position" => Files("25", 3, (i, d) => { if (i == 2) { d.Set(0x0020, 0x0032, "DS", "0\\0\\2"); } }),
        "missing-slice" => Files("26", 5, (i, d) => { if (i == 3) { d.Set(0x0020, 0x0032, "DS", "0\\0\\8"); } }),

        // PHI: one identifying attribute each; the gate must refuse (the study's policy is Reject) and store nothing.
        "phi-name" => One("name.dcm", With("31", d => d.Set(0x0010, 0x0010, "PN", "DOE^JOHN"))),
        "phi-birth-date" => One("dob.dcm", With("32", d => d.Set(0x0010, 0x0030, "DA", "19570312"))),
        "phi-mrn" => One("mrn.dcm", With("33", d => d.Set(0x0010, 0x0020, "LO", "MRN00123456"))),
        "phi-other-ids" => One("otherids.dcm", With("34", d => d.Set(0x0010, 0x1000, "LO", "00123456"))),
        "phi-burned-in" => One("burned.dcm", With("35", d => d.Set(0x0028, 0x0301, "CS", "YES"))),
        "phi-private" => One("private.dcm", With("36", d => d.Set(0x0009, 0x0010, "LO", "ACME HOSPITAL").Set(0x0009, 0x1001, "LO", "SMITH^JOHN 00123456"))),
        "phi-free-text" => One("comments.dcm", With("37", d => d.Set(0x0020, 0x4000, "LT", "Mr John Smith, born 12/03/1957, ward 4"))),
        "phi-institution" => One("institution.dcm", With("38", d => d.Set(0x0008, 0x0080, "LO", "St Elsewhere General Hospital"))),

        // STOW-RS routing and transport.
        "unknown-patient" => One("unknown.dcm", CorpusDicom.Slice("ZSH-NOBODY", 0, "41").ToBytes()),
        "other-site-patient" => One("other-site.dcm", CorpusDicom.Slice("HWMU-B0001", 0, "42").ToBytes()),
        "stow-wrong-part-type" => Related([("text/plain", "hello"u8.ToArray())]),
        "stow-malformed-multipart" => Raw($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\nDICM and then the body just stops", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}"),
        "stow-wrong-content-type" => Raw("PK\u0003\u0004", "application/zip"),
        "stow-no-parts" => Raw($"--{Boundary}--\r\n", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}"),

        // Hostile archives (ADR 0009): each must be refused before anything is extracted or stored.
        "zip-slip-dot-dot" => Zip("slip.zip", z => Entry(z, "../../escape.dcm")),
        "zip-slip-backslash" => Zip("slip.zip", z => Entry(z, "..\\..\\escape.dcm")),
        "zip-slip-absolute" => Zip("slip.zip", z => Entry(z, "/etc/cron.d/escape.dcm")),
        "zip-slip-drive-letter" => Zip("slip.zip", z => Entry(z, "C:/Windows/escape.dcm")),
        "zip-bomb" => Zip("bomb.zip", z => Entry(z, "bomb.dcm", new byte[64 * 1024 * 1024], CompressionLevel.SmallestSize)),
        "zip-nested" => Zip("outer.zip", z => Entry(z, "inner.zip", ZipBytes(i => Entry(i, "a.dcm")))),
        "zip-symlink" => Zip("link.zip", z => Entry(z, "link.dcm", "/etc/passwd"u8.ToArray()).ExternalAttributes = unchecked((int)0xA1FF0000)),
        "zip-case-duplicates" => Zip("case.zip", z => { Entry(z, "CT/a.dcm"); Entry(z, "ct/A.dcm"); }),
        "zip-too-many-entries" => Zip("many.zip", z => { for (var i = 0; i < 20_001; i++) { z.CreateEntry($"e{i}.dcm", CompressionLevel.NoCompression); } }),
        "zip-nul-name" => Zip("nul-char.zip", z => Entry(z, "a\0b.dcm")),
        "zip-control-name" => Zip("bell.zip", z => Entry(z, "a\u0007b.dcm")),
        "zip-bidi-name" => Zip("bidi.zip", z => Entry(z, "report\u202Emcd.exe")),
        "zip-corrupt" => One("corrupt.zip", [0x50, 0x4B, 0x03, 0x04, .. Enumerable.Repeat((byte)0xEE, 200)]),
        "zip-encrypted" => One("encrypted.zip", Encrypted(ZipBytes(z => Entry(z, "secret.dcm")))),
        "zip-long-path" => Zip("long.zip", z => Entry(z, string.Concat(Enumerable.Repeat("abcdefghij/", 30)) + "x.dcm")),
        "zip-deep-path" => Zip("deep.zip", z => Entry(z, string.Concat(Enumerable.Repeat("d/", 20)) + "x.dcm")),
        "parts-case-duplicates" => new List<CorpusFile> { new("a.dcm", Slice(51)), new("A.DCM", Slice(52)) },
        "no-files" => new MultipartFormDataContent { { new StringContent("a note, no file"), "note" } },
        "empty-multipart" => new MultipartFormDataContent(),

        // CSV generated: a NUL byte, too many rows, too many bytes.
        "csv-nul-byte" => One("nul.csv", Encoding.UTF8.GetBytes("pseudonym,treatment_arm,cohorts\nZSH-C0020,folfox,train\0ing\n")),
        "csv-too-many-rows" => One("many.csv", Encoding.UTF8.GetBytes("pseudonym,treatment_arm,cohorts\n"
            + string.Concat(Enumerable.Range(0, 50_001).Select(i => $"ZSH-M{i:D6},folfox,training\n")))),
        "csv-huge" => One("huge.csv", Encoding.UTF8.GetBytes("pseudonym,treatment_arm,cohorts\n" + new string('#', 6 * 1024 * 1024))),
        _ => throw new ArgumentException($"No corpus generator '{name}'", nameof(name)),
    };

    private static List<CorpusFile> One(string name, byte[] bytes) => [new(name, bytes)];

    private static byte[] Slice(int seed) => CorpusDicom.Slice(Patient, 0, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToBytes();

    private static byte[] With(string seed, Action<CorpusDicom> change)
    {
        var d = CorpusDicom.Slice(Patient, 0, seed);
        change(d);
        return d.ToBytes();
    }

    private static List<CorpusFile> Files(string seed, int count, Action<int, CorpusDicom> change) =>
        [.. CorpusDicom.Series(Patient, count, seed).Select((d, i) =>
        {
            change(i, d);
            return new CorpusFile($"s{i}.dcm", d.ToBytes());
        })];

    private static ZipArchiveEntry Entry(ZipArchive zip, string name, byte[]? content = null, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = zip.CreateEntry(name, level);
        using var stream = entry.Open();
        stream.Write(content ?? CorpusDicom.Slice(Patient, 0, "50").ToBytes());
        return entry;
    }

    private static byte[] ZipBytes(Action<ZipArchive> fill)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            fill(zip);
        }

        return buffer.ToArray();
    }

    private static List<CorpusFile> Zip(string name, Action<ZipArchive> fill) => One(name, ZipBytes(fill));

    /// <summary>Sets the "encrypted" flag (general purpose bit 0) in every local and central header: a password-protected entry as far as any reader can tell.</summary>
    private static byte[] Encrypted(byte[] zip)
    {
        for (var i = 0; i + 8 < zip.Length; i++)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4B && zip[i + 2] == 0x03 && zip[i + 3] == 0x04)
            {
                zip[i + 6] |= 1;
            }
            else if (zip[i] == 0x50 && zip[i + 1] == 0x4B && zip[i + 2] == 0x01 && zip[i + 3] == 0x02)
            {
                zip[i + 8] |= 1;
            }
        }

        return zip;
    }

    private static HttpContent Related(IEnumerable<(string Type, byte[] Body)> parts)
    {
        var body = new MemoryStream();
        foreach (var (type, bytes) in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: {type}\r\n\r\n"));
            body.Write(bytes);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}");
        return content;
    }

    /// <summary>The STOW-RS body for files: one application/dicom part each.</summary>
    public static HttpContent Stow(IEnumerable<CorpusFile> files) => Related(files.Select(f => ("application/dicom", f.Bytes)));

    private static HttpContent Raw(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    /// <summary>The multipart/form-data body of the patient page's upload (or an import): one "files" part per file.</summary>
    public static MultipartFormDataContent Form(IEnumerable<CorpusFile> files, string field)
    {
        var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
            var part = new ByteArrayContent(file.Bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(file.Name.EndsWith(".zip", StringComparison.Ordinal) ? "application/zip"
                : file.Name.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/dicom");
            // Names with control characters cannot go through the header's quoted-string: send them percent-encoded as filename*.
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = field, FileNameStar = file.Name };
            form.Add(part);
        }

        return form;
    }
}
