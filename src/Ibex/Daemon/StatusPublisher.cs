using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Publishes the state of one source's links to <c>ibex.link</c> on its own loop, never on the acknowledgement path:
/// state and error, position, lag against the source's current WAL position (read at most every 2 s), and the
/// counters as increments since the last successful publish.
/// </summary>
public sealed class StatusPublisher(string sync, NodeRecord source, ControlDatabase control, IReadOnlyList<LinkRuntime> links, ILogger log)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    readonly Dictionary<LinkRuntime, (long I, long U, long D, long T, long X)> _published = [];
    DateTime _lastSourceCheck;
    NpgsqlLogSequenceNumber _sourceLsn;

    /// <summary>Publishes every <see cref="Interval"/> until cancelled; <paramref name="retentionError"/> overrides every link's state while set.</summary>
    public async Task RunAsync(Func<string?> retentionError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retentionError);
        try
        {
            while (true)
            {
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                await PublishAsync(retentionError(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes once; a control database that cannot be reached is retried at the next publish.</summary>
    public async Task PublishAsync(string? retentionError, CancellationToken cancellationToken)
    {
        await RefreshSourceLsnAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PublishSnapshotsAsync(links.Select(l => retentionError is null ? (l, l.State, l.Error) : (l, "error", (string?)retentionError)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException)
        {
            log.LogDebug("status not published: {Error}", e.Message);
        }
    }

    /// <summary>Publishes the given states (throws if the control database cannot be reached).</summary>
    public async Task PublishSnapshotsAsync(IEnumerable<(LinkRuntime Link, string State, string? Error)> states, CancellationToken cancellationToken)
    {
        // Counters go out as increments since the last successful publish; remember exactly what was sent.
        var taken = states.Select(x =>
        {
            var c = x.Link.Counters;
            var now = (c.Inserts, c.Updates, c.Deletes, c.Truncates, c.Transactions);
            return (x.Link, Now: now, Snap: Snapshot(x.Link, _sourceLsn == default ? null : _sourceLsn, x.State, x.Error, now));
        }).ToList();
        await new StatusStore(control).PublishAsync(sync, [.. taken.Select(t => t.Snap)], cancellationToken).ConfigureAwait(false);
        foreach (var t in taken)
            _published[t.Link] = t.Now;
    }

    LinkSnapshot Snapshot(LinkRuntime l, NpgsqlLogSequenceNumber? sourceLsn, string state, string? error, (long I, long U, long D, long T, long X) now)
    {
        var prev = _published.GetValueOrDefault(l);
        var applier = l.Applier;
        // Counters were read before the position: a position never runs ahead of the counts published with it.
        var position = l.Position;
        long? lagBytes = sourceLsn is { } s && position != default ? Math.Max(0, (long)((ulong)s - (ulong)position)) : null;
        double? lagSeconds;
        if (l.Live && applier is not null)
        {
            var busy = applier.CurrentCommitTimestamp;
            lagSeconds = busy is { } ts ? Math.Max(0, (DateTime.UtcNow - ts).TotalSeconds) : 0;
        }
        else
        {
            // Not applying: the target falls behind from the moment it stopped, as soon as the source moves on.
            lagSeconds = lagBytes is > 0 && l.DownSince is { } since ? (DateTime.UtcNow - since).TotalSeconds : null;
        }
        return new LinkSnapshot(l.Link.Source, l.Link.Target, state, error, position,
            applier?.LastCommitTimestamp, applier?.LastAppliedAt, lagSeconds, lagBytes,
            now.I - prev.I, now.U - prev.U, now.D - prev.D, now.T - prev.T, now.X - prev.X);
    }

    async Task RefreshSourceLsnAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow - _lastSourceCheck < TimeSpan.FromSeconds(2))
            return;
        _lastSourceCheck = DateTime.UtcNow;
        try
        {
            await using var conn = await NodeConnections.OpenAsync(source, "status", cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()", conn);
            _sourceLsn = (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is IbexException or NpgsqlException)
        {
            _sourceLsn = default;
        }
    }
}
