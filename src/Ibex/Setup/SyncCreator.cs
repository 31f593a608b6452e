using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync add</c>: validates a sync against its nodes, then creates its publication and slot on every source and
/// its rows in the control database. Any failure undoes what was created: no slot, publication or control row is
/// left behind, and the error lists every problem found (missing tables, columns, type mismatches, missing keys).
/// </summary>
public sealed class SyncCreator(ControlDatabase control, ILogger log)
{
    /// <summary>Optional hook that renders the SQL making a node's tables match the source (the schema-diff engine).</summary>
    public Func<NpgsqlConnection, NpgsqlConnection, IReadOnlyCollection<QualifiedName>, CancellationToken, Task<string?>>? FixSql { get; init; }

    public async Task<SyncRecord> CreateAsync(SyncSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectNames.Validate("sync", spec.Name);
        var where = $"sync '{spec.Name}'";
        if (spec.Sources.Count == 0)
            throw new IbexException($"{where}: give at least one --source NODE");
        if (spec.Sources.Count + spec.Targets.Count < 2)
            throw new IbexException($"{where}: give at least one --target NODE (or a second --source for multi-master)");
        var dup = spec.Sources.Concat(spec.Targets).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new IbexException($"{where}: node '{dup.Key}' is listed more than once; a node is either a source or a target of one sync");
        if (await new SyncStore(control).FindAsync(spec.Name, cancellationToken).ConfigureAwait(false) is not null)
            throw new IbexException($"sync '{spec.Name}' already exists; pick another name or remove it with 'ibex sync remove {spec.Name}'");

        var nodeStore = new NodeStore(control);
        var nodes = new Dictionary<string, NodeRecord>();
        foreach (var name in spec.Sources.Concat(spec.Targets))
            nodes[name] = await nodeStore.GetAsync(name, cancellationToken).ConfigureAwait(false);

        var conns = new Dictionary<string, NpgsqlConnection>();
        var created = new CreatedObjects();
        try
        {
            foreach (var (name, node) in nodes)
            {
                conns[name] = await NodeConnections.OpenAsync(node, "setup", cancellationToken).ConfigureAwait(false);
                await CatalogReader.PrepareSessionAsync(conns[name], cancellationToken).ConfigureAwait(false);
            }
            var multiMaster = spec.Sources.Count > 1;
            var strategy = Conflicts.ConflictStrategy.Parse(spec.ConflictStrategy, [.. nodes.Keys]);
            if (multiMaster)
            {
                await RequireCommitTimestampsAsync(spec, conns, cancellationToken).ConfigureAwait(false);
                if (strategy.Function is { } fn)
                    foreach (var (name, conn) in conns)
                        await RequireFunctionAsync(conn, name, fn, cancellationToken).ConfigureAwait(false);
            }

            var first = spec.Sources[0];
            var tables = await CatalogReader.ResolveAsync(conns[first], spec.Tables, $"{where}: source '{first}'", cancellationToken).ConfigureAwait(false);
            var problems = new List<string>();
            var keyless = tables.Where(t => !t.IsReplicable).Select(t => t.Name.Display).ToList();
            if (keyless.Count > 0)
                problems.Add($"source '{first}': table {string.Join(", ", keyless)} has no primary key, no unique index on NOT NULL columns and is not REPLICA IDENTITY FULL (add a primary key, or run ALTER TABLE ... REPLICA IDENTITY FULL)");
            var fullOnly = tables.Where(t => t.IsReplicable && t.KeyColumns.Count == 0).Select(t => t.Name.Display).ToList();
            if (multiMaster && fullOnly.Count > 0)
                problems.Add($"source '{first}': table {string.Join(", ", fullOnly)} has no key, and multi-master needs one to detect conflicts (add a primary key)");
            if (multiMaster)
                Warnings.AddRange(await SequenceWarningsAsync(conns[first], spec.Name, tables, cancellationToken).ConfigureAwait(false));

            var others = new Dictionary<string, IReadOnlyDictionary<QualifiedName, TableInfo>>();
            var fixes = new List<string>();
            foreach (var other in nodes.Keys.Where(n => n != first))
            {
                var theirs = await CatalogReader.ReadTablesAsync(conns[other], tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
                others[other] = theirs;
                var nodeProblems = tables.SelectMany(t => TableComparer.Problems(t, theirs.GetValueOrDefault(t.Name))).ToList();
                if (spec.Sources.Contains(other))
                    nodeProblems.AddRange(theirs.Values.Where(t => !t.IsReplicable).Select(t => $"{t.Name.Display} has no primary key or usable unique index"));
                if (nodeProblems.Count > 0)
                {
                    problems.Add($"{(spec.Sources.Contains(other) ? "source" : "target")} '{other}': {string.Join("; ", nodeProblems)}");
                    if (FixSql is not null && await FixSql(conns[first], conns[other], [.. tables.Select(t => t.Name)], cancellationToken).ConfigureAwait(false) is { Length: > 0 } sql)
                        fixes.Add($"-- run on node '{other}' to make its tables match '{first}':\n{sql.TrimEnd()}");
                }
            }
            if (problems.Count > 0)
            {
                var hint = fixes.Count > 0 ? "\n" + string.Join("\n", fixes)
                    : $"; 'ibex schema diff --from SOURCE --to TARGET' prints the SQL that fixes the schema";
                throw new IbexException($"{where} refused, nothing was created: {string.Join(" | ", problems)}{hint}");
            }

            var copyTargets = nodes.Keys.Where(n => n != first).ToList();
            var copyStates = new Dictionary<(string Target, QualifiedName Table), string>();
            if (spec.CopyMode != CopyMode.Never)
            {
                var nonEmpty = new List<string>();
                foreach (var target in copyTargets)
                    foreach (var t in tables)
                    {
                        var empty = await IsEmptyAsync(conns[target], t.Name, cancellationToken).ConfigureAwait(false);
                        if (!empty && spec.CopyMode == CopyMode.Auto)
                            nonEmpty.Add($"{t.Name.Display} on '{target}'");
                        copyStates[(target, t.Name)] = "pending";
                    }
                if (nonEmpty.Count > 0)
                    throw new IbexException($"{where} refused, nothing was created: --copy auto only copies into empty tables, and {string.Join(", ", nonEmpty)} {(nonEmpty.Count == 1 ? "is" : "are")} not empty; empty them, use --copy always (truncates the targets) or --copy never (stream only)");
            }

            if (multiMaster)
                foreach (var (name, conn) in conns)
                    await CreateTombstoneTableAsync(conn, name, created, cancellationToken).ConfigureAwait(false);

            var publication = ObjectNames.Publication(spec.Name);
            var syncNodes = new List<SyncNode>();
            foreach (var source in spec.Sources)
            {
                var slot = ObjectNames.Slot(spec.Name, source);
                var sourceTables = source == first ? tables.ToList() : [.. tables.Select(t => others[source][t.Name])];
                await CreateSourceObjectsAsync(conns[source], source, sourceTables, publication, slot, created, cancellationToken).ConfigureAwait(false);
                syncNodes.Add(new SyncNode(source, NodeRole.Source, slot));
            }
            syncNodes.AddRange(spec.Targets.Select(t => new SyncNode(t, NodeRole.Target, null)));

            var links = new List<LinkRecord>();
            foreach (var source in spec.Sources)
                foreach (var target in nodes.Keys.Where(n => n != source))
                    links.Add(new LinkRecord(source, target, ObjectNames.Origin(spec.Name, source, target)));

            var record = new SyncRecord(spec.Name, true, spec.CopyMode, strategy.Text, publication, spec.OptionsJson, 1, DateTime.UtcNow,
                syncNodes, [.. tables.Select(t => new SyncTable(t.Name))], links);
            await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await SyncStore.InsertAsync(conn, record, cancellationToken).ConfigureAwait(false);
                var copies = links.Where(l => l.Source == first && copyStates.Count > 0)
                    .SelectMany(l => tables.Select(t => (l, t.Name, copyStates[(l.Target, t.Name)], t.EstimatedRows)));
                await SyncStore.InsertCopiesAsync(conn, spec.Name, copies, cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
            return record;
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

    static async Task RequireCommitTimestampsAsync(SyncSpec spec, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        foreach (var source in spec.Sources)
        {
            var facts = await ServerChecks.ReadAsync(conns[source], cancellationToken).ConfigureAwait(false);
            if (!facts.TrackCommitTimestamp)
                throw new IbexException($"node '{source}': track_commit_timestamp is off, and multi-master conflict resolution needs it; set track_commit_timestamp = on and restart PostgreSQL");
        }
    }

    /// <summary>Things worth telling the operator that do not stop the sync (e.g. sequences that will collide).</summary>
    public List<string> Warnings { get; } = [];

    static async Task RequireFunctionAsync(NpgsqlConnection conn, string node, QualifiedName fn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT to_regprocedure($1) IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = $"{fn.Quoted}(text, jsonb, jsonb, timestamptz, timestamptz)" });
        if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            throw new IbexException($"node '{node}': conflict function {fn.Display}(text, jsonb, jsonb, timestamptz, timestamptz) does not exist; create it on every node first (it returns the row to keep as jsonb, or NULL for deleted)");
    }

    static async Task CreateTombstoneTableAsync(NpgsqlConnection conn, string node, CreatedObjects created, CancellationToken cancellationToken)
    {
        await using var check = new NpgsqlCommand("SELECT to_regnamespace('ibex_mm') IS NOT NULL", conn);
        var existed = (bool)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        await ExecAsync(conn, Conflicts.TombstoneSql.Create, cancellationToken).ConfigureAwait(false);
        if (!existed)
            created.Add(conn, $"schema ibex_mm on '{node}'", "DROP SCHEMA IF EXISTS ibex_mm CASCADE");
    }

    // Keys filled by a sequence hand out the same numbers on every node; multi-master inserts would then collide.
    static async Task<List<string>> SequenceWarningsAsync(NpgsqlConnection conn, string sync, IReadOnlyList<TableInfo> tables, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT a.attname::text, pg_get_serial_sequence($1, a.attname) FROM pg_attribute a " +
                "WHERE a.attrelid = $1::regclass AND a.attname = ANY($2) AND pg_get_serial_sequence($1, a.attname) IS NOT NULL", conn);
            cmd.Parameters.Add(new() { Value = t.Name.Quoted });
            cmd.Parameters.Add(new() { Value = t.KeyColumns.ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                warnings.Add($"table {t.Name.Display}: key column {r.GetString(0)} is filled by sequence {r.GetString(1)}, which hands out the same numbers on every node; run 'ibex sequences interleave {sync} --apply' so keys never collide");
        }
        return warnings;
    }

    static async Task<bool> IsEmptyAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT NOT EXISTS (SELECT 1 FROM {table.Quoted})", conn);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    async Task CreateSourceObjectsAsync(NpgsqlConnection conn, string node, IReadOnlyList<TableInfo> tables, string publication, string slot, CreatedObjects created, CancellationToken cancellationToken)
    {
        // A table identified by a unique index (no primary key) needs it as replica identity, or PostgreSQL would
        // refuse the application's own UPDATEs and DELETEs once the table is published.
        foreach (var t in tables.Where(t => t.KeyIndex is not null && t.ReplicaIdentity == 'd'))
        {
            await ExecAsync(conn, $"ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY USING INDEX {Ident.Quote(t.KeyIndex!)}", cancellationToken).ConfigureAwait(false);
            created.Add(conn, $"replica identity of {t.Name.Display} on '{node}'", $"ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY DEFAULT");
            log.LogInformation("node {Node}: {Table} now uses index {Index} as replica identity", node, t.Name.Display, t.KeyIndex);
        }
        try
        {
            await ExecAsync(conn, $"CREATE PUBLICATION {Ident.Quote(publication)} FOR TABLE {string.Join(", ", tables.Select(t => t.Name.Quoted))} WITH (publish_via_partition_root = true)", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            throw new IbexException($"node '{node}': a publication named {publication} already exists (left from an earlier sync?); drop it with DROP PUBLICATION {Ident.Quote(publication)} on that node", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new IbexException($"node '{node}': not allowed to create publication {publication} ({e.MessageText}); the node's role must own the tables or have CREATE on the database", e);
        }
        created.Add(conn, $"publication {publication} on '{node}'", CreatedObjects.DropPublication(publication));
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", conn);
            cmd.Parameters.Add(new() { Value = slot });
            cmd.CommandTimeout = 120;
            await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            throw new IbexException($"node '{node}': a replication slot named {slot} already exists (left from an earlier sync?); drop it with SELECT pg_drop_replication_slot('{slot}') on that node", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ConfigurationLimitExceeded)
        {
            throw new IbexException($"node '{node}': all replication slots are in use ({e.MessageText}); raise max_replication_slots and restart PostgreSQL, or drop unused slots", e);
        }
        created.Add(conn, $"slot {slot} on '{node}'", CreatedObjects.DropSlot(slot));
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
