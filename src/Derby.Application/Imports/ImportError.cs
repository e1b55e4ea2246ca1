namespace Derby.Application.Imports;

/// <summary>Why an import was refused: a line of the file (1 = header; 0 = the file as a whole), a column, a reason.</summary>
public sealed record ImportError(int Line, string? Column, string Message)
{
    public override string ToString() =>
        Line == 0 ? Message : Column is null ? $"line {Line}: {Message}" : $"line {Line}, {Column}: {Message}";
}
