namespace Ibex.Cli.Top;

/// <summary>One line of <c>ibex top</c>: a link of a sync, its cells as text, and the link state (for the colour).</summary>
public sealed record TopRow(string Sync, string Link, string State, string Lag, string RowsPerSecond, string Copy, string ConflictsPerMinute, string LastError);
