namespace Ibex.Monitoring;

/// <summary>A sync as <c>ibex status</c> shows it.</summary>
public sealed record SyncStatus(string Name, bool Enabled, string State, IReadOnlyList<string> Sources, IReadOnlyList<string> Targets, int Tables, IReadOnlyList<LinkStatus> Links, IReadOnlyList<EventRecord> RecentErrors)
{
    /// <summary>Multi-master conflicts logged for this sync, by kind.</summary>
    public IReadOnlyDictionary<string, long> Conflicts { get; init; } = new Dictionary<string, long>();

    /// <summary>Initial copy of all the sync's links together (null when nothing is to copy).</summary>
    public CopyProgress? Copy { get; init; }

    /// <summary>DDL replicated: each node's synced tables against the reference node, as last checked after DDL.</summary>
    public IReadOnlyList<SchemaCheck> SchemaChecks { get; init; } = [];

    public long ConflictsTotal => Conflicts.Values.Sum();
}

/// <summary>An event recorded by the daemon.</summary>
public sealed record EventRecord(DateTime At, string? Node, string Level, string Message);
