using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync add-node</c>: a node joins a sync while every node keeps taking writes. Checked like <c>sync add</c>
/// (its tables against the copy source's, commit timestamps, the initial copy), then: a new source gets its tombstone
/// table, publication and slot before anything else (from then on its own writes are kept for the others); the control
/// database gets its links — from every source, and as a source to every other node — and the copy from one source
/// C, in one transaction. The running daemon picks that up: C copies its tables into the node, and the links from the
/// other sources wait for that copy and start where it ends (<see cref="Daemon.JoinPositions"/>). A failure undoes
/// whatever was created; nothing is changed by a refusal.
/// </summary>
public sealed class NodeJoiner(ControlDatabase control, ILogger log)
{
    /// <summary>Renders the SQL that makes the node's tables match the copy source's, when known (the schema-diff engine).</summary>
    public Func<NpgsqlConnection, NpgsqlConnection, IReadOnlyCollection<QualifiedName>, CancellationToken, Task<string?>>? FixSql { get; init; }

    /// <summary>Adds <paramref name="nodeName"/> to the sync; returns its role and the node it is copied from.</summary>
    public async Task<(NodeRole Role, string CopyFrom)> AddAsync(string syncName, string nodeName, NodeRole? role, string? copyFrom, CancellationToken cancellationToken)
    {
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        var nodes = new NodeStore(control);
        var node = await nodes.GetAsync(nodeName, cancellationToken).ConfigureAwait(false);
        var (chosen, from) = NodeMembership.Join(sync, nodeName, role, copyFrom);
        var multiMaster = sync.Sources.Count() > 1;
        var asSource = chosen == NodeRole.Source;
        var where = $"node '{nodeName}' cannot join sync '{syncName}', nothing was changed";

        var conns = new Dictionary<string, NpgsqlConnection>();
        var created = new CreatedObjects();
        try
        {
            foreach (var n in new[] { from, nodeName })
            {
                conns[n] = await NodeConnections.OpenAsync(await nodes.GetAsync(n, cancellationToken).ConfigureAwait(false), "setup", cancellationToken).ConfigureAwait(false);
                await CatalogReader.PrepareSessionAsync(conns[n], cancellationToken).ConfigureAwait(false);
            }
            var joining = conns[nodeName];
            if (asSource && !(await ServerChecks.ReadAsync(joining, cancellationToken).ConfigureAwait(false)).TrackCommitTimestamp)
                throw new IbexException($"{where}: track_commit_timestamp is off there, and multi-master conflict resolution needs it; set track_commit_timestamp = on and restart PostgreSQL");
            if (multiMaster && Conflicts.ConflictStrategy.Parse(sync.ConflictStrategy, [.. sync.Nodes.Select(n => n.Node), nodeName]).Function is { } fn)
                await RequireFunctionAsync(joining, where, fn, cancellationToken).ConfigureAwait(false);
            var tables = await PlanTablesAsync(sync, from, nodeName, asSource, where, conns, cancellationToken).ConfigureAwait(false);
            if (sync.CopyMode == CopyMode.Auto)
                foreach (var t in tables)
                    if (!await SourceObjects.IsEmptyAsync(joining, t.Target, cancellationToken).ConfigureAwait(false))
                        throw new IbexException($"{where}: its table {t.Target.Display} is not empty, and the sync copies into empty tables only (copy auto); empty it there first, the copy from '{from}' fills it");

            // Objects on the node first: its own writes are kept from this moment.
            if (multiMaster)
            {
                await SourceObjects.CreateTombstoneTableAsync(joining, nodeName, created, cancellationToken).ConfigureAwait(false);
                await Conflicts.ValueTombstoneTriggers.EnsureAsync(joining, sync.Name, tables.Select(t => t.Target), cancellationToken).ConfigureAwait(false);
                created.Add(joining, $"unique-value tombstone triggers on '{nodeName}'", Conflicts.ValueTombstoneSql.Cleanup(sync.Name, tables.Select(t => t.Target)));
            }
            string? slot = null;
            if (asSource)
            {
                slot = ObjectNames.Slot(sync.Name, nodeName);
                var full = tables.Where(t => t.Source.ReplicaIdentity == 'f').Select(t => t.Name).ToHashSet();
                await SourceObjects.PrepareIdentityAsync(joining, nodeName, tables, full, created, log, cancellationToken).ConfigureAwait(false);
                await SourceObjects.CreatePublicationAsync(joining, nodeName, sync.PublicationName, tables, created, cancellationToken).ConfigureAwait(false);
                await SourceObjects.CreateSlotAsync(joining, nodeName, slot, node.FailoverSlots, created, cancellationToken).ConfigureAwait(false);
            }

            var copied = sync.CopyMode != CopyMode.Never;
            var links = sync.Sources.Where(s => s.SlotName is not null)
                .Select(s => new LinkRecord(s.Node, nodeName, ObjectNames.Origin(sync.Name, s.Node, nodeName)) { StartAfterCopyFrom = copied && multiMaster && s.Node != from ? from : null })
                .ToList();
            if (asSource)
                links.AddRange(sync.Nodes.Where(n => n.Role != NodeRole.Fullcopy).Select(n => new LinkRecord(nodeName, n.Node, ObjectNames.Origin(sync.Name, nodeName, n.Node))));
            await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using (var batch = new NpgsqlBatch(conn))
                {
                    batch.BatchCommands.Add(SyncStore.BatchCmd("INSERT INTO ibex.sync_node (sync, node, role, slot_name) VALUES ($1, $2, $3, $4)", sync.Name, nodeName, chosen.ToString().ToLowerInvariant(), slot));
                    foreach (var l in links)
                        batch.BatchCommands.Add(SyncStore.BatchCmd("INSERT INTO ibex.link (sync, source, target, origin_name, start_after_copy_from) VALUES ($1, $2, $3, $4, $5)", sync.Name, l.Source, l.Target, l.OriginName, l.StartAfterCopyFrom));
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                if (copied)
                {
                    var link = links.First(l => l.Source == from);
                    await SyncStore.InsertCopiesAsync(conn, sync.Name, tables.Select(t => (link, t.Name, "pending", t.Source.EstimatedRows)), cancellationToken).ConfigureAwait(false);
                }
                await SyncStore.BumpAsync(conn, sync.Name, cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
            return (chosen, from);
        }
        catch
        {
            await created.UndoAsync(log).ConfigureAwait(false);
            throw;
        }
        finally
        {
            foreach (var c in conns.Values)
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The sync's tables as the copy source has them (with their row filters and column lists), each checked on the
    // joining node like 'sync add' checks a target, or both ways for a source.
    async Task<List<PlannedTable>> PlanTablesAsync(SyncRecord sync, string from, string nodeName, bool asSource, string where, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        var theirs = await CatalogReader.ReadTablesAsync(conns[from], sync.Tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
        var planned = new List<PlannedTable>();
        foreach (var t in sync.Tables)
        {
            if (!theirs.TryGetValue(t.Name, out var info))
                throw new IbexException($"{where}: table {t.Name.Display} is missing on the copy source '{from}'; re-create it there or remove it from the sync ('ibex sync remove-table {sync.Name} {t.Name.Display}')");
            planned.Add(new PlannedTable(info, asSource ? t.Name : t.TargetName, t.Options.Where, t.Options.Columns));
        }
        var mine = await CatalogReader.ReadTablesAsync(conns[nodeName], planned.Select(p => p.Target), cancellationToken).ConfigureAwait(false);
        var problems = planned.SelectMany(p => TableComparer.Problems(p, mine.GetValueOrDefault(p.Target), bothWays: asSource)).ToList();
        if (asSource)
            problems.AddRange(mine.Values.Where(t => t.KeyColumns.Count == 0).Select(t => $"{t.Name.Display} has no primary key or unique index on NOT NULL columns, which multi-master needs"));
        if (problems.Count == 0)
            return planned;
        var fix = FixSql is null ? null : await FixSql(conns[from], conns[nodeName], [.. planned.Select(p => p.Name)], cancellationToken).ConfigureAwait(false);
        throw new IbexException($"{where}: {string.Join("; ", problems)}; make its tables match '{from}'"
            + (fix is { Length: > 0 } ? $":\n{fix.TrimEnd()}" : " ('ibex schema diff --from SOURCE --to TARGET' prints the SQL)"));
    }

    static async Task RequireFunctionAsync(NpgsqlConnection conn, string where, QualifiedName fn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT to_regprocedure($1) IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = $"{fn.Quoted}(text, jsonb, jsonb, timestamptz, timestamptz)" });
        if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            throw new IbexException($"{where}: conflict function {fn.Display}(text, jsonb, jsonb, timestamptz, timestamptz) does not exist there; create it first");
    }
}
