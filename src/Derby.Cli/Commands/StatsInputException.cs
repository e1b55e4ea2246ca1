namespace Derby.Cli.Commands;

/// <summary>The input of a <c>stats</c> command is unusable (missing file or column, a value that is not a number).</summary>
internal sealed class StatsInputException(string message) : Exception(message);
