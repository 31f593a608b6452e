using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// When the source's WAL reached which position, sampled by the status loop (<c>pg_current_wal_lsn()</c>), so a link's
/// lag is measured against the source itself: the lag of a target is how long ago the source first wrote WAL the
/// target has not confirmed. It grows while a stream is stalled or a target is down, whether or not anything is
/// being applied, and is zero for a target that has everything. A pure value: no I/O, unit-tested.
/// </summary>
public sealed class SourceWalClock
{
    // Oldest first; positions never go backwards. Kept only as far back as the slowest link needs, bounded anyway.
    readonly List<(NpgsqlLogSequenceNumber Lsn, DateTime At)> _samples = [];
    const int MaxSamples = 4096;

    /// <summary>The newest position sampled, or null before the first sample.</summary>
    public NpgsqlLogSequenceNumber? Latest => _samples.Count == 0 ? null : _samples[^1].Lsn;

    /// <summary>Records that the source's WAL had reached <paramref name="lsn"/> at <paramref name="at"/>.</summary>
    public void Sample(NpgsqlLogSequenceNumber lsn, DateTime at)
    {
        if (_samples.Count > 0 && lsn <= _samples[^1].Lsn)
            return; // nothing new was written: the older sample says when this position was first reached
        _samples.Add((lsn, at));
        if (_samples.Count > MaxSamples)
            _samples.RemoveRange(0, _samples.Count - MaxSamples / 2);
    }

    /// <summary>
    /// Seconds since the source had WAL beyond <paramref name="confirmed"/> (since the first sample that shows it), 0 when
    /// the target has all the source had at the last sample, null before the first sample.
    /// </summary>
    /// <remarks>
    /// Samples start when the daemon does, so after a restart this alone cannot say more than the daemon's uptime for
    /// a target minutes behind. <paramref name="applying"/>, the source commit time of the transaction the target is
    /// applying, is a second lower bound: that transaction is not confirmed, and its WAL was written before it committed.
    /// </remarks>
    public double? LagSeconds(NpgsqlLogSequenceNumber confirmed, DateTime now, DateTime? applying = null)
    {
        if (_samples.Count == 0)
            return null;
        // The first sample past what the target confirmed: WAL it lacks existed at that sample's time at the latest
        // (a lower bound, so a target that keeps up never shows the sampling interval as lag).
        var i = FirstAfter(confirmed);
        if (i < 0)
            return 0;
        var sampled = (now - _samples[i].At).TotalSeconds;
        var committed = applying is { } at ? (now - at).TotalSeconds : 0;
        return Math.Max(0, Math.Max(sampled, committed));
    }

    /// <summary>Bytes of the source's WAL (at the last sample) the target has not confirmed.</summary>
    public long? LagBytes(NpgsqlLogSequenceNumber confirmed)
        => _samples.Count == 0 ? null : Math.Max(0, (long)((ulong)_samples[^1].Lsn - (ulong)confirmed));

    /// <summary>Forgets samples every link has passed (the oldest position still needed is <paramref name="slowest"/>).</summary>
    public void Trim(NpgsqlLogSequenceNumber slowest)
    {
        var i = FirstAfter(slowest);
        var keep = i < 0 ? _samples.Count - 1 : i - 1;
        if (keep > 0)
            _samples.RemoveRange(0, keep);
    }

    int FirstAfter(NpgsqlLogSequenceNumber position)
    {
        for (var i = 0; i < _samples.Count; i++)
            if (_samples[i].Lsn > position)
                return i;
        return -1;
    }
}
