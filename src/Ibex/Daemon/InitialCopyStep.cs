using Ibex.Apply;
using Ibex.Catalog;
using Ibex.Conflicts;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Copy;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// The first step of a pipeline run: copies the source's pending tables to its targets (<see cref="InitialCopier"/>)
/// and hands the appliers the copy points — per target and table, the LSN of the copy's snapshot, so a change already
/// in the copy is never applied again. Multi-master: while the copy runs, the source's own deletes keep being recorded
/// as tombstones (<see cref="DeleteRecording"/>), so other nodes' changes into this node are decided without waiting
/// for the copy to end.
/// </summary>
public sealed class InitialCopyStep(SyncRecord sync, string source, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control,
    IReadOnlyList<LinkRuntime> links, MultiMasterCoordinator? mm, ILoggerFactory loggers)
{
    /// <summary>Multi-master: starts recording this source's deletes for the duration of the copy (null: no recording).</summary>
    public Func<CancellationToken, Task<DeleteRecording>>? RecordDeletes { get; init; }

    /// <summary>Publishes link states (the copying links show <c>copying</c>).</summary>
    public required Func<CancellationToken, Task> Publish { get; init; }

    /// <summary>Copies what is pending, then returns every copy point of this source.</summary>
    public async Task<IReadOnlyDictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber>> RunAsync(CancellationToken cancellationToken)
    {
        var store = new CopyStore(control);
        var items = await store.ListAsync(sync.Name, source, cancellationToken).ConfigureAwait(false);
        var pending = items.Where(i => i.State is "pending" or "copying").ToList();
        if (pending.Count > 0)
        {
            var recording = RecordDeletes is null ? null : await RecordDeletes(cancellationToken).ConfigureAwait(false);
            try
            {
                await CopyAsync(store, pending, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (recording is not null)
                    await recording.DisposeAsync().ConfigureAwait(false);
            }
            items = await store.ListAsync(sync.Name, source, cancellationToken).ConfigureAwait(false);
        }
        return items.Where(i => i.State == "done" && i.CopyLsn is not null).ToDictionary(i => (i.Target, i.Table), i => i.CopyLsn!.Value);
    }

    async Task CopyAsync(CopyStore store, List<CopyStore.Item> pending, CancellationToken cancellationToken)
    {
        foreach (var l in links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
            l.SetState("copying");
        await Publish(cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<QualifiedName, TableInfo> tables;
        await using (var conn = await NodeDataSources.OpenAsync(nodes[source], cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
            tables = await CatalogReader.ReadTablesAsync(conn, pending.Select(p => p.Table).Distinct(), cancellationToken).ConfigureAwait(false);
        }
        var tasks = new List<CopyTask>();
        foreach (var group in pending.GroupBy(p => p.Table))
        {
            if (!tables.TryGetValue(group.Key, out var info) && sync.Ddl == DdlMode.Replicate)
            {
                // Dropped or renamed since the sync was made: the stream carries that DDL, and the sync follows it (a
                // renamed table's copy waits, under its new name, for the pipeline's next start).
                loggers.CreateLogger("Ibex.Copy").LogWarning("sync {Sync}: table {Table} is not on '{Source}' to be copied; its DDL in the stream decides what becomes of it", sync.Name, group.Key.Display, source);
                continue;
            }
            if (info is null)
                throw new IbexException($"source '{source}': table {group.Key.Display} no longer exists; re-create it or remove it from sync '{sync.Name}'");
            var table = sync.Tables.FirstOrDefault(t => t.Name == group.Key);
            var options = table?.Options ?? new TableOptions();
            // 'always' empties a one-way target in the copy's transaction. A multi-master node keeps what was written
            // on it since the sync was made (its writers never pause): the copy is merged with it by the strategy.
            var always = sync.CopyMode == CopyMode.Always;
            tasks.Add(new CopyTask(info, [.. group.Select(p => new CopyDestination(p.Target,
                sync.Sources.Any(n => n.Node == p.Target) || table is null ? p.Table : table.TargetName,
                always && mm is null) { ReplaceRowsOlderThan = always && mm is not null ? sync.CreatedAt : null })])
            {
                Columns = options.Columns,
                Where = options.Where,
            });
        }
        foreach (var t in tasks)
            foreach (var d in t.Targets)
                await store.MarkCopyingAsync(sync.Name, source, d.Node, t.Table.Name, EstimateBytes(t.Table), cancellationToken).ConfigureAwait(false);
        var sourceSettings = await ReplicationHost.ResolveAsync(NodeConnections.Settings(nodes[source]), $"node '{source}'", cancellationToken).ConfigureAwait(false);
        var copier = new InitialCopier(sourceSettings, source, nodes.ToDictionary(n => n.Key, n => NodeConnections.Settings(n.Value)), loggers.CreateLogger("Ibex.Copy"))
        {
            SlotName = ObjectNames.CopySlot(sync.Name, source),
            Progress = (t, d, bytes) => store.ProgressAsync(sync.Name, source, d.Node, t.Table.Name, bytes, cancellationToken),
            Done = (t, d, lsn, bytes) => store.MarkDoneAsync(sync.Name, source, d.Node, t.Table.Name, lsn, bytes, cancellationToken),
            Origins = mm is null ? null : links.ToDictionary(l => l.Link.Target, l => l.Link.OriginName),
            OriginTimestamp = sync.CreatedAt,
            MultiMaster = mm is null ? null : new MultiMasterCopy(mm, source),
        };
        try
        {
            await copier.CopyAsync(tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e is IbexException ? e.Message : $"initial copy from '{source}' failed: {Errors.Describe(e)}";
            foreach (var l in links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
                l.Fail(new ApplyException(message, Errors.IsConnectionFailure(e)));
            throw new IbexException(message, e);
        }
    }

    static long EstimateBytes(TableInfo t) => Math.Max(0, t.EstimatedRows) * 64;
}
