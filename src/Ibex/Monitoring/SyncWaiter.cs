using Ibex.Capture;
using Ibex.Connections;
using Ibex.Control;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Monitoring;

/// <summary>
/// <c>ibex wait</c>: notes each source's current WAL position, emits a marker into the stream (so idle streams
/// advance at once), then polls until every link's applied position has passed it (and, multi-master with DDL
/// replicated, the DDL lock is released).
/// </summary>
public sealed class SyncWaiter(ControlDatabase control)
{
    /// <summary>What was left when the wait gave up.</summary>
    public sealed record Remaining(string Source, string Target, string State, long LagBytes, string? Error);

    /// <summary>Returns an empty list when caught up, else what is still behind at the timeout.</summary>
    /// <remarks><paramref name="progress"/> sees each status reading taken while waiting (an initial copy's progress).</remarks>
    public async Task<IReadOnlyList<Remaining>> WaitAsync(string syncName, TimeSpan timeout, CancellationToken cancellationToken, Action<SyncStatus>? progress = null)
    {
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        if (!sync.Enabled)
            throw new IbexException($"sync '{syncName}' is paused, so it will not catch up; resume it with 'ibex sync resume {syncName}'");
        var nodes = new NodeStore(control);
        var goals = new Dictionary<string, NpgsqlLogSequenceNumber>();
        foreach (var source in sync.Sources)
        {
            await using var conn = await NodeConnections.OpenAsync(await nodes.GetAsync(source.Node, cancellationToken).ConfigureAwait(false), "wait", cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand($"SELECT pg_current_wal_lsn(), pg_logical_emit_message(true, '{SlotReader.MessagePrefix}', 'wait')", conn);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            goals[source.Node] = r.GetFieldValue<NpgsqlLogSequenceNumber>(0);
        }
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var behind = new List<Remaining>();
            var status = (await new StatusReader(control).ReadAsync(syncName, cancellationToken).ConfigureAwait(false)).Single();
            progress?.Invoke(status);
            foreach (var link in status.Links.Where(l => sync.Streams(l.Target)))
            {
                var goal = goals[link.Source];
                var pos = link.PositionLsn is null ? default : NpgsqlLogSequenceNumber.Parse(link.PositionLsn);
                // A link in error is never caught up, wherever its position is: what failed may be behind it (a copy
                // that did not finish, a change the target rejected).
                if (pos < goal || InError(link))
                    behind.Add(new Remaining(link.Source, link.Target, link.State, pos < goal ? (long)((ulong)goal - (ulong)pos) : 0, link.Error));
            }
            // Multi-master DDL: caught up once the DDL lock is released too, so DDL on any node is accepted again.
            if (behind.Count == 0 && sync.Ddl == Control.Model.DdlMode.Replicate && sync.Sources.Count() > 1
                && await new DdlLockStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false) is { } held)
                behind.Add(new Remaining(held.Holder, "the other nodes", "DDL lock held", 0, $"the DDL lock of '{held.Holder}' is not released yet"));
            if (behind.Count == 0 || DateTime.UtcNow >= deadline)
                return behind;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 1.5));
        }
    }

    // A link with an error is failing until it works again (error, down, or attached again but not yet past what failed):
    // the daemon clears the error once the link has committed a transaction or stayed attached for a while.
    static bool InError(LinkStatus link) => link.Error is not null;
}
