namespace Ibex.Setup;

/// <summary>What <c>ibex switchover</c> did, or with <c>--dry-run</c> would do (<see cref="Steps"/>).</summary>
public sealed record SwitchoverResult(string Sync, string From, string To, bool DryRun, IReadOnlyList<string> Steps)
{
    /// <summary>From fencing the old source off to opening the new one: no application could write anywhere.</summary>
    public TimeSpan? WritesRefused { get; init; }

    /// <summary>From fencing the old source off until the new one had everything it had committed.</summary>
    public TimeSpan? CaughtUpAfter { get; init; }

    /// <summary>Sessions of applications ended on the old source.</summary>
    public int SessionsEnded { get; init; }

    public int SequencesMoved { get; init; }

    /// <summary>The slot the sync now reads, on the new source.</summary>
    public string? Slot { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
