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

    /// <summary>Things worth telling the operator that do not stop the sync (e.g. sequences that will collide).</summary>
    public List<string> Warnings { get; } = [];

    public async Task<SyncRecord> CreateAsync(SyncSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectNames.Validate("sync", spec.Name);
        var where = $"sync '{spec.Name}'";
        var multiMaster = spec.Sources.Count > 1;
        Validate(spec, where, multiMaster);
        var syncs = new SyncStore(control);
        if (await syncs.FindAsync(spec.Name, cancellationToken).ConfigureAwait(false) is not null)
            throw new IbexException($"sync '{spec.Name}' already exists; pick another name or remove it with 'ibex sync remove {spec.Name}'");

        var nodeStore = new NodeStore(control);
        var nodes = new Dictionary<string, NodeRecord>();
        foreach (var name in spec.Sources.Concat(spec.Targets).Concat(spec.FullcopyTargets))
            nodes[name] = await nodeStore.GetAsync(name, cancellationToken).ConfigureAwait(false);
        var forward = await ForwardAsync(spec, syncs, multiMaster, cancellationToken).ConfigureAwait(false);

        var conns = new Dictionary<string, NpgsqlConnection>();
        var created = new CreatedObjects();
        try
        {
            foreach (var (name, node) in nodes)
            {
                conns[name] = await NodeConnections.OpenAsync(node, "setup", cancellationToken).ConfigureAwait(false);
                await CatalogReader.PrepareSessionAsync(conns[name], cancellationToken).ConfigureAwait(false);
            }
            var strategy = Conflicts.ConflictStrategy.Parse(spec.ConflictStrategy, [.. nodes.Keys]);
            if (multiMaster)
            {
                await RequireCommitTimestampsAsync(spec, conns, cancellationToken).ConfigureAwait(false);
                if (strategy.Function is { } fn)
                    foreach (var (name, conn) in conns)
                        await RequireFunctionAsync(conn, name, fn, cancellationToken).ConfigureAwait(false);
            }

            var first = spec.Sources[0];
            var plan = await new TablePlanner(conns) { FixSql = FixSql }.PlanAsync(where, spec, [], cancellationToken).ConfigureAwait(false);
            plan.ThrowIfRefused(where);
            Warnings.AddRange(plan.Warnings);
            if (multiMaster)
                Warnings.AddRange(await SequenceWarningsAsync(conns[first], spec.Name, plan.Tables, cancellationToken).ConfigureAwait(false));

            var copyTargets = nodes.Keys.Where(n => n != first && !spec.FullcopyTargets.Contains(n)).ToList();
            var copies = await PlanCopiesAsync(where, spec.CopyMode, conns, copyTargets, plan.Tables, spec.Sources, cancellationToken).ConfigureAwait(false);

            if (multiMaster)
                foreach (var (name, conn) in conns)
                {
                    await SourceObjects.CreateTombstoneTableAsync(conn, name, created, cancellationToken).ConfigureAwait(false);
                    await Conflicts.ValueTombstoneTriggers.EnsureAsync(conn, spec.Name, plan.Tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
                    created.Add(conn, $"unique-value tombstone triggers on '{name}'", Conflicts.ValueTombstoneSql.Cleanup(spec.Name, plan.Tables.Select(t => t.Name)));
                }

            // A sync with only fullcopy targets needs no stream: no publication, no slot (nothing retains WAL).
            var streams = spec.Targets.Count > 0 || multiMaster;
            var publication = ObjectNames.Publication(spec.Name);
            var syncNodes = new List<SyncNode>();
            foreach (var source in spec.Sources)
            {
                string? slot = null;
                if (streams)
                {
                    slot = ObjectNames.Slot(spec.Name, source);
                    await SourceObjects.PrepareIdentityAsync(conns[source], source, plan.Tables, plan.NeedFullIdentity, created, log, cancellationToken).ConfigureAwait(false);
                    await SourceObjects.CreatePublicationAsync(conns[source], source, publication, plan.Tables, created, cancellationToken).ConfigureAwait(false);
                    if (spec.Ddl == DdlMode.Replicate)
                        await DdlCapture.InstallAsync(conns[source], source, spec.Name, publication, spec.Tables, created, cancellationToken).ConfigureAwait(false);
                    await SourceObjects.CreateSlotAsync(conns[source], source, slot, nodes[source].FailoverSlots, created, cancellationToken).ConfigureAwait(false);
                }
                syncNodes.Add(new SyncNode(source, NodeRole.Source, slot));
            }
            syncNodes.AddRange(spec.Targets.Select(t => new SyncNode(t, NodeRole.Target, null)));
            syncNodes.AddRange(spec.FullcopyTargets.Select(t => new SyncNode(t, NodeRole.Fullcopy, null)));

            var links = new List<LinkRecord>();
            foreach (var source in spec.Sources)
                foreach (var target in nodes.Keys.Where(n => n != source && (!spec.FullcopyTargets.Contains(n) || source == first)))
                    links.Add(new LinkRecord(source, target, ObjectNames.Origin(spec.Name, source, target)));

            var options = spec.Options with { Forward = forward };
            var tableRows = plan.Tables.Select(t => new SyncTable(t.Name, t.Options().ToJson())).ToList();
            var record = new SyncRecord(spec.Name, true, spec.CopyMode, strategy.Text, publication, options.ToJson(), 1, DateTime.UtcNow, syncNodes, tableRows, links) { Ddl = spec.Ddl };
            await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await SyncStore.InsertAsync(conn, record, cancellationToken).ConfigureAwait(false);
                var work = links.Where(l => l.Source == first && copies.ContainsKey(l.Target))
                    .SelectMany(l => plan.Tables.Select(t => (l, t.Name, copies[l.Target], t.Source.EstimatedRows)));
                await SyncStore.InsertCopiesAsync(conn, spec.Name, work, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The checks of a spec that need no server: sources, targets, roles, forwarding.</summary>
    internal static void Validate(SyncSpec spec, string where, bool multiMaster)
    {
        if (spec.Sources.Count == 0)
            throw new IbexException($"{where}: give at least one --source NODE");
        if (spec.Sources.Count + spec.Targets.Count + spec.FullcopyTargets.Count < 2)
            throw new IbexException($"{where}: give at least one --target NODE (or --fullcopy NODE, or a second --source for multi-master)");
        var dup = spec.Sources.Concat(spec.Targets).Concat(spec.FullcopyTargets).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new IbexException($"{where}: node '{dup.Key}' is listed more than once; a node has one role in a sync");
        if (multiMaster && spec.Forward == true)
            throw new IbexException($"{where}: --forward cannot be used with several sources (changes would loop between them)");
        if (multiMaster && spec.FullcopyTargets.Count > 0)
            throw new IbexException($"{where}: --fullcopy targets need a single source; make a separate sync for them");
        if (spec.Ddl == DdlMode.Replicate && spec.Map.Count > 0)
            throw new IbexException($"{where}: --ddl replicate runs the source's statements on targets as they are, so tables cannot have other names there; drop --map, or use --ddl stop");
        if (spec.Ddl == DdlMode.Replicate && spec.Targets.Count == 0 && !multiMaster)
            throw new IbexException($"{where}: --ddl replicate needs a streamed target (--target); fullcopy targets get each table whole");
    }

    // Cascading: a source that itself receives another sync forwards what it receives, unless told otherwise.
    static async Task<bool> ForwardAsync(SyncSpec spec, SyncStore syncs, bool multiMaster, CancellationToken cancellationToken)
    {
        if (spec.Forward is { } explicitValue)
            return explicitValue;
        if (multiMaster)
            return false;
        var all = await syncs.ListAsync(cancellationToken).ConfigureAwait(false);
        return all.Any(s => s.Links.Any(l => l.Target == spec.Sources[0]));
    }

    /// <summary>Copy work per target: 'pending' for every target that gets an initial copy; refuses non-empty targets under auto.</summary>
    internal static async Task<Dictionary<string, string>> PlanCopiesAsync(string where, CopyMode mode, IReadOnlyDictionary<string, NpgsqlConnection> conns, IReadOnlyList<string> targets, IReadOnlyList<PlannedTable> tables, IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>();
        if (mode == CopyMode.Never)
            return result;
        var nonEmpty = new List<string>();
        foreach (var target in targets)
        {
            foreach (var t in tables)
            {
                var name = sources.Contains(target) ? t.Name : t.Target;
                if (mode == CopyMode.Auto && !await SourceObjects.IsEmptyAsync(conns[target], name, cancellationToken).ConfigureAwait(false))
                    nonEmpty.Add($"{name.Display} on '{target}'");
            }
            result[target] = "pending";
        }
        if (nonEmpty.Count > 0)
            throw new IbexException($"{where} refused, nothing was created: --copy auto only copies into empty tables, and {string.Join(", ", nonEmpty)} {(nonEmpty.Count == 1 ? "is" : "are")} not empty; empty them, use --copy always (truncates the targets) or --copy never (stream only)");
        return result;
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

    static async Task RequireFunctionAsync(NpgsqlConnection conn, string node, QualifiedName fn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT to_regprocedure($1) IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = $"{fn.Quoted}(text, jsonb, jsonb, timestamptz, timestamptz)" });
        if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            throw new IbexException($"node '{node}': conflict function {fn.Display}(text, jsonb, jsonb, timestamptz, timestamptz) does not exist; create it on every node first (it returns the row to keep as jsonb, or NULL for deleted)");
    }

    // Keys filled by a sequence hand out the same numbers on every node; multi-master inserts would then collide.
    static async Task<List<string>> SequenceWarningsAsync(NpgsqlConnection conn, string sync, IReadOnlyList<PlannedTable> tables, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT a.attname::text, pg_get_serial_sequence($1, a.attname) FROM pg_attribute a " +
                "WHERE a.attrelid = $1::regclass AND a.attname = ANY($2) AND pg_get_serial_sequence($1, a.attname) IS NOT NULL", conn);
            cmd.Parameters.Add(new() { Value = t.Name.Quoted });
            cmd.Parameters.Add(new() { Value = t.Source.KeyColumns.ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                warnings.Add($"table {t.Name.Display}: key column {r.GetString(0)} is filled by sequence {r.GetString(1)}, which hands out the same numbers on every node; run 'ibex sequences interleave {sync} --apply' so keys never collide");
        }
        return warnings;
    }
}
