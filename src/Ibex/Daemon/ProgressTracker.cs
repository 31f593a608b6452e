using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Decides how far a source's slot may be acknowledged: no further than every link has committed and the tombstone
/// recorder (multi-master) has recorded. Pure: it is given positions and told what was acknowledged, and touches no
/// connection, so the rule is tested without a server.
/// </summary>
public sealed class ProgressTracker(bool multiMaster)
{
    /// <summary>The highest position acknowledged so far.</summary>
    public NpgsqlLogSequenceNumber Acknowledged { get; private set; }

    /// <summary>
    /// The position to acknowledge now, or null when there is none yet (no links, or one of them, or the recorder,
    /// has no position). With multi-master, a position past <see cref="Acknowledged"/> needs the reader's view of
    /// the other nodes saved first (<see cref="AckDecision.SaveSeenFirst"/>), so a restarted reader begins with it.
    /// </summary>
    public AckDecision? Decide(IEnumerable<NpgsqlLogSequenceNumber> links, NpgsqlLogSequenceNumber? recorder)
    {
        ArgumentNullException.ThrowIfNull(links);
        NpgsqlLogSequenceNumber? lowest = null;
        foreach (var position in links)
            if (lowest is null || position < lowest)
                lowest = position;
        if (lowest is not { } ack)
            return null;
        if (recorder is { } r && r < ack)
            ack = r;
        if (ack == default)
            return null;
        return new AckDecision(ack, multiMaster && ack > Acknowledged);
    }

    /// <summary>The slot was acknowledged up to <paramref name="lsn"/> (never moves back).</summary>
    public void Acknowledge(NpgsqlLogSequenceNumber lsn)
    {
        if (lsn > Acknowledged)
            Acknowledged = lsn;
    }
}
