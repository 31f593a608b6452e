using Ibex.Conflicts;
using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>
/// Where an applier stands, read by other threads (status, acknowledgements): the target's position on the source's
/// stream, the commit times of the transaction being applied and of the last one applied. Transactions the target
/// committed are counted here, and for multi-master their conflicts logged and the link's watermark reported.
/// </summary>
public sealed class ApplyProgress(LinkCounters counters, MultiMasterLink? multiMaster)
{
    long _position;
    long _currentCommitTicks;

    /// <summary>Every source transaction committed before this LSN is on the target (or was not ours).</summary>
    public NpgsqlLogSequenceNumber Position => new((ulong)Interlocked.Read(ref _position));

    /// <summary>Commit time (on the source) of the transaction being applied; null when idle.</summary>
    public DateTime? CurrentCommitTimestamp
    {
        get
        {
            var t = Interlocked.Read(ref _currentCommitTicks);
            return t == 0 ? null : new DateTime(t, DateTimeKind.Utc);
        }
    }

    /// <summary>Source commit time of the last transaction applied.</summary>
    public DateTime? LastCommitTimestamp { get; private set; }

    public DateTime? LastAppliedAt { get; private set; }

    /// <summary>A transaction committed at <paramref name="commitTimestamp"/> is being applied (null: none).</summary>
    public void Applying(DateTime? commitTimestamp) => Interlocked.Exchange(ref _currentCommitTicks, commitTimestamp?.Ticks ?? 0);

    /// <summary>The position as the target's origin has it (exact: at connect, after an error).</summary>
    public void Reset(NpgsqlLogSequenceNumber position) => Interlocked.Exchange(ref _position, (long)(ulong)position);

    /// <summary>Moves the position forward (never back).</summary>
    public void Advance(NpgsqlLogSequenceNumber lsn)
    {
        var value = (long)(ulong)lsn;
        long current;
        do
        {
            current = Interlocked.Read(ref _position);
            if (value <= current)
                return;
        }
        while (Interlocked.CompareExchange(ref _position, value, current) != current);
    }

    /// <summary>Transactions the target has committed: counted, the position advanced, their conflicts logged.</summary>
    public void Completed(IEnumerable<CommittedTransaction> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        foreach (var (end, ts, counts, conflicts) in committed)
        {
            counters.Add(counts);
            Advance(end);
            LastCommitTimestamp = ts;
            LastAppliedAt = DateTime.UtcNow;
            if (multiMaster is not null)
            {
                if (conflicts.Count > 0)
                    multiMaster.Coordinator.Log.Add(conflicts);
                multiMaster.Coordinator.ReportWatermark(multiMaster.RemoteNode, multiMaster.LocalNode, ts);
            }
        }
    }
}
