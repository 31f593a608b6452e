using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Publishes the state of one source's links to <c>ibex.link</c> on its own loop, never on the acknowledgement path:
/// state and error, position, lag, and the counters as increments since the last successful publish. Lag is measured
/// against the source itself (<see cref="SourceWalClock"/>: its WAL position, sampled every second), so a stalled
/// stream or a stopped target shows growing lag whether or not anything is being applied.
/// </summary>
public sealed class StatusPublisher(string sync, NodeRecord source, ControlDatabase control, IReadOnlyList<LinkRuntime> links, ILogger log)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);

    readonly Dictionary<LinkRuntime, (long I, long U, long D, long T, long X)> _published = [];
    readonly SourceWalClock _clock = new();
    readonly RepeatedWarning _unpublished = new(log);
    string? _failure;
    DateTime _lastSourceCheck;

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
        catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException)
        {
            // Retried at the next publish (a broken pooled session is replaced); said once while it lasts, and
            // recorded as an event once the control database takes writes again.
            _failure ??= Errors.Describe(e);
            _unpublished.Report($"sync {sync}: status of source '{source.Name}' not published: {Errors.Describe(e)}");
            return;
        }
        if (_failure is { } failure)
        {
            _failure = null;
            _unpublished.Clear($"sync {sync}: status of source '{source.Name}' published again");
            try
            {
                await control.LogEventAsync(sync, source.Name, "error", $"status could not be published for a while: {failure}", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException)
            {
                _failure = failure;
            }
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
            return (x.Link, Now: now, Snap: Snapshot(x.Link, x.State, x.Error, now));
        }).ToList();
        await new StatusStore(control).PublishAsync(sync, [.. taken.Select(t => t.Snap)], cancellationToken).ConfigureAwait(false);
        foreach (var t in taken)
            _published[t.Link] = t.Now;
        if (taken.Count > 0)
            _clock.Trim(taken.Min(t => t.Snap.Position));
    }

    LinkSnapshot Snapshot(LinkRuntime l, string state, string? error, (long I, long U, long D, long T, long X) now)
    {
        var prev = _published.GetValueOrDefault(l);
        var applier = l.Applier;
        // Counters were read before the position: a position never runs ahead of the counts published with it.
        var position = l.Position;
        var known = position != default;
        return new LinkSnapshot(l.Link.Source, l.Link.Target, state, error, position,
            applier?.LastCommitTimestamp, applier?.LastAppliedAt, known ? _clock.LagSeconds(position, DateTime.UtcNow, applier?.CurrentCommitTimestamp) : null, known ? _clock.LagBytes(position) : null,
            now.I - prev.I, now.U - prev.U, now.D - prev.D, now.T - prev.T, now.X - prev.X);
    }

    // A source that cannot be asked keeps its last samples: lag goes on growing for whoever is behind them.
    async Task RefreshSourceLsnAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow - _lastSourceCheck < SampleEvery)
            return;
        _lastSourceCheck = DateTime.UtcNow;
        try
        {
            await using var conn = await NodeDataSources.OpenAsync(source, cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()", conn);
            var lsn = (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            _clock.Sample(lsn, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException)
        {
            log.LogDebug("source WAL position not read: {Error}", e.Message);
        }
    }
}
