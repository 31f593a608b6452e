using Ibex.Catalog;

namespace Ibex.Compare;

/// <summary>What to compare and how.</summary>
public sealed record CompareOptions
{
    /// <summary>Compare the tables of this sync: its first source against every other node of the sync.</summary>
    public string? Sync { get; init; }

    /// <summary>Without a sync: the first node against each of the others.</summary>
    public IReadOnlyList<string> Nodes { get; init; } = [];

    /// <summary>Only tables matching these patterns (required without a sync).</summary>
    public IReadOnlyList<TablePattern> Tables { get; init; } = [];

    /// <summary>Fetch the values of every differing row (for repair SQL), not only of the first <see cref="DetailLimit"/>.</summary>
    public bool AllValues { get; init; }

    /// <summary>How many differing rows per table have their values fetched (to name the changed columns) when <see cref="AllValues"/> is off.</summary>
    public int DetailLimit { get; init; } = 1000;

    /// <summary>How long to wait for a running sync to catch up before re-checking differing rows.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Sub-ranges a differing key range is split into.</summary>
    public int Fanout { get; init; } = 32;

    /// <summary>A differing range with at most this many rows has its keys and row hashes listed instead of being split.</summary>
    public int LeafRows { get; init; } = 256;

    /// <summary>Called when each table pair starts and when it is done (the progress line of <c>ibex compare</c> on a terminal).</summary>
    public Action<CompareProgress>? OnProgress { get; init; }

    /// <summary>Called with a line describing each step (for --verbose, and for tests).</summary>
    public Action<string>? Progress { get; init; }
}
