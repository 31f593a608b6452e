using Ibex.Apply;

namespace Ibex.Daemon;

/// <summary>How <c>ibex run</c> behaves.</summary>
public sealed record DaemonOptions
{
    /// <summary>Run only these syncs (empty: all).</summary>
    public IReadOnlyList<string> Syncs { get; init; } = [];

    public ApplyOptions Apply { get; init; } = new();

    /// <summary>How initial copies run: streams at once, and the size of a large table's ranges.</summary>
    public Copy.CopyOptions Copy { get; init; } = new();

    /// <summary>How often the configuration is re-read when no NOTIFY arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Multi-master: how often each source emits a heartbeat into its stream.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Multi-master: how long tombstones are kept past the point every node has passed.</summary>
    public TimeSpan TombstoneMargin { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan TombstonePurgeInterval { get; init; } = TimeSpan.FromSeconds(30);
}
