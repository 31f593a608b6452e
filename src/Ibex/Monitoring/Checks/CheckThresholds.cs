namespace Ibex.Monitoring.Checks;

/// <summary>Levels of <c>ibex check</c>: lag in seconds, WAL retained per slot in bytes, conflicts in the last hour.</summary>
public sealed record CheckThresholds
{
    public Threshold LagSeconds { get; init; } = new(30, 300);

    public Threshold RetainedBytes { get; init; } = new(1L << 30, 10L << 30);

    public Threshold Conflicts { get; init; } = new(null, null);

    /// <summary>Errors recorded this recently raise a warning.</summary>
    public TimeSpan RecentErrors { get; init; } = TimeSpan.FromMinutes(5);
}
