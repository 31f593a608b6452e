using Ibex.Apply;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Where the links of a node that joined a live multi-master sync start (<c>ibex sync add-node</c>). The node N gets one
/// copy, from a source C; every other source X must then send N exactly the changes C did not have in that copy. C
/// applies X's transactions in X's commit order and records the end of the last one in its origin for X→C; read just
/// before C's copy snapshot is taken, that position is where X→N starts: it becomes the progress of N's origin for X→N,
/// so X's applier into N skips every transaction up to it. Until the copy into N is done, the X→N link waits (and, at
/// position zero, holds X's slot where it is, so nothing N needs is recycled).
/// </summary>
public static class JoinPositions
{
    /// <summary>
    /// C's side, before its copy into <paramref name="target"/> takes its snapshot: for every link into the target
    /// that starts after this copy, sets the target's origin to C's progress for the same source. An origin that already
    /// exists (a copy retried after a failure) is left as it is: starting earlier only applies again what the copy
    /// holds, in commit order, while starting later would lose changes.
    /// </summary>
    public static async Task AlignAsync(SyncRecord sync, string copySource, string target, IReadOnlyDictionary<string, NodeRecord> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(nodes);
        var joining = sync.Links.Where(l => l.Target == target && l.StartAfterCopyFrom == copySource && l.Source != copySource).ToList();
        if (joining.Count == 0)
            return;
        var positions = new Dictionary<LinkRecord, NpgsqlLogSequenceNumber?>();
        await using (var c = await NodeDataSources.OpenAsync(nodes[copySource], cancellationToken).ConfigureAwait(false))
            foreach (var link in joining)
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_progress(roname, false) FROM pg_replication_origin WHERE roname = $1", c);
                cmd.Parameters.Add(new() { Value = ObjectNames.Origin(sync.Name, link.Source, copySource) });
                positions[link] = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as NpgsqlLogSequenceNumber?;
            }
        await using var t = await NodeDataSources.OpenAsync(nodes[target], cancellationToken).ConfigureAwait(false);
        foreach (var (link, position) in positions)
        {
            // C never applied anything from X: X→N starts at X's slot, like C's own link did.
            if (position is not { } lsn || lsn == default)
                continue;
            await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = $1)", t))
            {
                exists.Parameters.Add(new() { Value = link.OriginName });
                if ((bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    continue;
            }
            await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_advance($1, $2) FROM (SELECT pg_replication_origin_create($1)) created", t);
            cmd.Parameters.Add(new() { Value = link.OriginName });
            cmd.Parameters.Add(new() { Value = lsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// X's side, before connecting a link that starts after a copy from another node: fails (the link waits and is
    /// retried) while that copy is not done; once it is, forgets the wait so later copies (<c>sync add-table</c>) never
    /// move the link's start again.
    /// </summary>
    public static async Task WaitForCopyAsync(ControlDatabase control, SyncRecord sync, LinkRecord link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(link);
        if (link.StartAfterCopyFrom is not { } from || from == link.Source)
            return;
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM ibex.table_copy WHERE sync = $1 AND source = $2 AND target = $3 AND state NOT IN ('done', 'skipped')", conn))
        {
            cmd.Parameters.Add(new() { Value = sync.Name });
            cmd.Parameters.Add(new() { Value = from });
            cmd.Parameters.Add(new() { Value = link.Target });
            var left = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (left > 0)
                throw new ApplyException($"target '{link.Target}': waiting for its initial copy from '{from}' ({left} table(s) left); the changes of '{link.Source}' start where that copy ends", false) { LinkState = "copying" };
        }
        await using (var clear = new NpgsqlCommand("UPDATE ibex.link SET start_after_copy_from = NULL WHERE sync = $1 AND source = $2 AND target = $3", conn))
        {
            clear.Parameters.Add(new() { Value = sync.Name });
            clear.Parameters.Add(new() { Value = link.Source });
            clear.Parameters.Add(new() { Value = link.Target });
            await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
