namespace Ibex.Monitoring.Live;

/// <summary>How the daemon's monitoring samples.</summary>
public sealed record MonitorOptions
{
    /// <summary>How often link status, slot usage and conflicts are sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples kept per link (720 × 5 s = the last hour).</summary>
    public int HistorySamples { get; init; } = 720;

    /// <summary>Time allowed to connect to a source node for its slot usage.</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
