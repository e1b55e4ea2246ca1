using System.Text;
using Derby.Application.Imports;

namespace Derby.Application.Tests;

public sealed class CsvDocumentTests
{
    private static (CsvDocument? Doc, ImportError? Error) Parse(string text) => CsvDocument.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_ReadsQuotedCommasQuotesAndLineBreaks_PerRfc4180()
    {
        var (doc, error) = Parse("a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\n2,\"two\nlines\",z\n");

        Assert.Null(error);
        Assert.Equal(["a", "b", "c"], doc!.Header);
        Assert.Equal(2, doc.Rows.Count);
        Assert.Equal(["1", "x, y", "he said \"hi\""], doc.Rows[0].Fields);
        Assert.Equal("two\nlines", doc.Rows[1].Fields[1]);
        // The second record starts on line 3 and spans two physical lines.
        Assert.Equal(3, doc.Rows[1].Line);
    }

    [Fact]
    public void Parse_KeepsLineNumbers_WhenBlankLinesAreSkipped()
    {
        var (doc, _) = Parse("a,b\n\n1,2\n\n3,4\n\n");

        Assert.Equal([3, 5], doc!.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Parse_AcceptsUtf8Bom_AndNonAsciiText()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("name,x\nGaël,1\n")).ToArray();

        var (doc, error) = CsvDocument.Parse(bytes);

        Assert.Null(error);
        Assert.Equal("name", doc!.Header[0]);
        Assert.Equal("Gaël", doc.Rows[0].Fields[0]);
    }

    [Fact]
    public void Parse_RefusesLatin1_WithTheLineOfTheFirstBadByte()
    {
        var bytes = Encoding.Latin1.GetBytes("a,b\n1,2\nGaël,3\n");

        var (doc, error) = CsvDocument.Parse(bytes);

        Assert.Null(doc);
        Assert.Equal(3, error!.Line);
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Fact]
    public void Parse_RefusesUtf16_WithAHint()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("a,b\n1,2\n")).ToArray();

        var (_, error) = CsvDocument.Parse(bytes);

        Assert.Contains("UTF-16", error!.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a,b\n1,\"open\n", "never closed")]
    [InlineData("a,b\n1,x\"y\n", "quote appears inside")]
    [InlineData("a,b\n1,\"x\"y\n", "follows a closing quote")]
    public void Parse_RefusesMalformedFiles_WithAReason(string text, string reason)
    {
        var (doc, error) = Parse(text);

        Assert.Null(doc);
        Assert.Contains(reason, error!.Message);
    }

    [Fact]
    public void Parse_RefusesBinaryFiles()
    {
        var (_, error) = CsvDocument.Parse(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00, 0x00 });

        Assert.Contains("binary", error!.Message);
    }
}
