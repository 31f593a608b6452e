using System.Diagnostics;

namespace Ibex.Monitoring.Metrics;

/// <summary>
/// The daemon's traces: one <see cref="ActivitySource"/> named <c>Ibex</c>, with an activity per table copy, per apply
/// round trip and per conflict check of a batch (never per row). Without a listener (no <c>--otlp-endpoint</c>)
/// starting one returns null and costs next to nothing.
/// </summary>
public static class IbexActivities
{
    public const string SourceName = "Ibex";

    public static readonly ActivitySource Source = new(SourceName, typeof(IbexActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Initial copy of one table from a source to its targets.</summary>
    public static Activity? StartCopy(string source, string table, IEnumerable<string> targets)
    {
        var a = Source.StartActivity("ibex.copy");
        a?.SetTag("ibex.source", source).SetTag("ibex.table", table).SetTag("ibex.targets", string.Join(",", targets));
        return a;
    }

    /// <summary>One round trip of statements to a target (several small transactions, or part of a large one).</summary>
    public static Activity? StartApplyBatch(string target, string origin, int statements)
    {
        var a = Source.StartActivity("ibex.apply.batch");
        a?.SetTag("ibex.target", target).SetTag("ibex.origin", origin).SetTag("ibex.statements", statements);
        return a;
    }

    /// <summary>Multi-master: the conflict check of a batch of changes against the target's rows.</summary>
    public static Activity? StartConflictCheck(string target, string origin, int changes)
    {
        var a = Source.StartActivity("ibex.conflicts");
        a?.SetTag("ibex.target", target).SetTag("ibex.origin", origin).SetTag("ibex.changes", changes);
        return a;
    }
}
