using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync add-table</c> and <c>remove-table</c> on an existing sync: new tables are checked on every node like in
/// <c>sync add</c>, added to the publication on every source and given an initial copy; removed tables leave the
/// publication. A running daemon picks the change up by itself.
/// </summary>
public sealed class TableChanger(ControlDatabase control, ILogger log)
{
    public Func<NpgsqlConnection, NpgsqlConnection, IReadOnlyCollection<QualifiedName>, CancellationToken, Task<string?>>? FixSql { get; init; }

    public List<string> Warnings { get; } = [];

    public async Task<IReadOnlyList<QualifiedName>> AddAsync(string syncName, IReadOnlyList<TablePattern> patterns, SyncSpec settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        var where = $"sync '{syncName}'";
        var conns = await OpenAsync(sync, cancellationToken).ConfigureAwait(false);
        var created = new CreatedObjects();
        try
        {
            var spec = settings with
            {
                Name = sync.Name,
                Tables = patterns,
                Sources = [.. sync.Sources.Select(s => s.Node)],
                Targets = [.. sync.Targets.Select(s => s.Node)],
                FullcopyTargets = [.. sync.FullcopyTargets.Select(s => s.Node)],
            };
            var plan = await new TablePlanner(conns) { FixSql = FixSql }.PlanAsync(where, spec, [.. sync.Tables.Select(t => t.Name)], cancellationToken).ConfigureAwait(false);
            plan.ThrowIfRefused(where);
            Warnings.AddRange(plan.Warnings);
            var first = spec.Sources[0];
            var copyTargets = sync.Links.Where(l => l.Source == first && sync.Streams(l.Target)).Select(l => l.Target).ToList();
            var copies = await SyncCreator.PlanCopiesAsync(where, sync.CopyMode, conns, copyTargets, plan.Tables, spec.Sources, cancellationToken).ConfigureAwait(false);
            foreach (var source in sync.Sources.Where(s => s.SlotName is not null))
            {
                await SourceObjects.PrepareIdentityAsync(conns[source.Node], source.Node, plan.Tables, plan.NeedFullIdentity, created, log, cancellationToken).ConfigureAwait(false);
                await SourceObjects.AddToPublicationAsync(conns[source.Node], source.Node, sync.PublicationName, plan.Tables, created, cancellationToken).ConfigureAwait(false);
            }
            await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using (var batch = new NpgsqlBatch(conn))
                {
                    foreach (var t in plan.Tables)
                        batch.BatchCommands.Add(SyncStore.BatchCmd("INSERT INTO ibex.sync_table (sync, schema_name, table_name, options) VALUES ($1, $2, $3, $4::jsonb)", sync.Name, t.Name.Schema, t.Name.Name, t.Options().ToJson()));
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                var work = sync.Links.Where(l => l.Source == first && copies.ContainsKey(l.Target))
                    .SelectMany(l => plan.Tables.Select(t => (l, t.Name, copies[l.Target], t.Source.EstimatedRows)));
                await SyncStore.InsertCopiesAsync(conn, sync.Name, work, cancellationToken).ConfigureAwait(false);
                await SyncStore.BumpAsync(conn, sync.Name, cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
            return [.. plan.Tables.Select(t => t.Name)];
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

    public async Task<IReadOnlyList<QualifiedName>> RemoveAsync(string syncName, IReadOnlyList<TablePattern> patterns, CancellationToken cancellationToken)
    {
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        var removed = sync.Tables.Where(t => patterns.Any(p => p.Matches(t.Name.Schema, t.Name.Name))).Select(t => t.Name).ToList();
        if (removed.Count == 0)
            throw new IbexException($"sync '{syncName}' has no table matching {string.Join(", ", patterns.Select(p => $"'{p.Text}'"))}; 'ibex sync show {syncName}' lists its tables");
        if (removed.Count == sync.Tables.Count)
            throw new IbexException($"sync '{syncName}' would be left without tables; remove the sync instead ('ibex sync remove {syncName}')");
        var nodes = new NodeStore(control);
        foreach (var source in sync.Sources.Where(s => s.SlotName is not null))
        {
            await using var conn = await NodeConnections.OpenAsync(await nodes.GetAsync(source.Node, cancellationToken).ConfigureAwait(false), "setup", cancellationToken).ConfigureAwait(false);
            // A table dropped on the source has already left the publication.
            var present = (await CatalogReader.ReadTablesAsync(conn, removed, cancellationToken).ConfigureAwait(false)).Keys.ToList();
            if (present.Count == 0)
                continue;
            await using var cmd = new NpgsqlCommand(SourceObjects.DropFromPublication(sync.PublicationName, present), conn);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using (var batch = new NpgsqlBatch(conn))
            {
                foreach (var t in removed)
                    batch.BatchCommands.Add(SyncStore.BatchCmd("DELETE FROM ibex.sync_table WHERE sync = $1 AND schema_name = $2 AND table_name = $3", sync.Name, t.Schema, t.Name));
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await SyncStore.BumpAsync(conn, sync.Name, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    async Task<Dictionary<string, NpgsqlConnection>> OpenAsync(SyncRecord sync, CancellationToken cancellationToken)
    {
        var nodes = new NodeStore(control);
        var conns = new Dictionary<string, NpgsqlConnection>();
        try
        {
            foreach (var n in sync.Nodes)
            {
                conns[n.Node] = await NodeConnections.OpenAsync(await nodes.GetAsync(n.Node, cancellationToken).ConfigureAwait(false), "setup", cancellationToken).ConfigureAwait(false);
                await CatalogReader.PrepareSessionAsync(conns[n.Node], cancellationToken).ConfigureAwait(false);
            }
            return conns;
        }
        catch
        {
            foreach (var c in conns.Values)
                await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
