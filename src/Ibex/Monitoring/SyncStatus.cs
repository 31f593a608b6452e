namespace Ibex.Monitoring;

/// <summary>A sync as <c>ibex status</c> shows it.</summary>
public sealed record SyncStatus(string Name, bool Enabled, string State, IReadOnlyList<string> Sources, IReadOnlyList<string> Targets, int Tables, IReadOnlyList<LinkStatus> Links, IReadOnlyList<EventRecord> RecentErrors);

/// <summary>An event recorded by the daemon.</summary>
public sealed record EventRecord(DateTime At, string? Node, string Level, string Message);
