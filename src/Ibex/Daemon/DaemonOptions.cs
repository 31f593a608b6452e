using Ibex.Apply;

namespace Ibex.Daemon;

/// <summary>How <c>ibex run</c> behaves.</summary>
public sealed record DaemonOptions
{
    /// <summary>Run only these syncs (empty: all).</summary>
    public IReadOnlyList<string> Syncs { get; init; } = [];

    public ApplyOptions Apply { get; init; } = new();

    /// <summary>How often the configuration is re-read when no NOTIFY arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
}
