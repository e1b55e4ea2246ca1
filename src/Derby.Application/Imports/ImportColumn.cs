namespace Derby.Application.Imports;

/// <summary>One column of an import format, as documented to sites and checked against each file's header.</summary>
public sealed record ImportColumn(string Name, bool Required, string Description);
