using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// A fullcopy run: every table of the sync on one target is replaced by the source's current rows (emptied with
/// TRUNCATE or DELETE, then COPY), all in one target transaction and from one source snapshot, so the target
/// always holds a consistent picture. Tables need no key.
/// </summary>
public sealed class FullcopyRunner(NodeRecord source, NodeRecord target, ILogger log)
{
    /// <summary>Replaces the tables; returns the number of rows now on the target.</summary>
    public async Task<long> RunAsync(SyncRecord sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var delete = sync.Options.DeleteMethod == "delete";
        // A node whose DSN names several hosts is read and written on its primary, as streaming and the initial copy do.
        var (sourceWhat, targetWhat) = ($"node '{source.Name}'", $"node '{target.Name}'");
        var sourceSettings = await ReplicationHost.ResolveAsync(NodeConnections.Settings(source), sourceWhat, cancellationToken).ConfigureAwait(false);
        var targetSettings = await ReplicationHost.ResolveAsync(NodeConnections.Settings(target), targetWhat, cancellationToken).ConfigureAwait(false);
        await using var src = await NodeConnections.OpenAsync(sourceSettings, sourceWhat, "fullcopy", cancellationToken).ConfigureAwait(false);
        await using var dst = await NodeConnections.OpenAsync(targetSettings, targetWhat, "fullcopy", cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<QualifiedName, TableInfo> tables;
        await using (var catalog = await NodeConnections.OpenAsync(sourceSettings, sourceWhat, "catalog", cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(catalog, cancellationToken).ConfigureAwait(false);
            tables = await CatalogReader.ReadTablesAsync(catalog, sync.Tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
        }
        await ExecAsync(src, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cancellationToken).ConfigureAwait(false);
        await ExecAsync(dst, "SET session_replication_role = replica", cancellationToken).ConfigureAwait(false);
        await ExecAsync(dst, "BEGIN", cancellationToken).ConfigureAwait(false);
        long rows = 0;
        foreach (var t in sync.Tables)
        {
            if (!tables.TryGetValue(t.Name, out var info))
                throw new IbexException($"source '{source.Name}': table {t.Name.Display} no longer exists; re-create it or remove it from sync '{sync.Name}'");
            var options = t.Options;
            var columns = options.Columns?.ToList() ?? [.. info.WritableColumns.Select(c => c.Name)];
            var binary = await CopyFormat.BinaryAsync(info, columns, src, [(dst, t.TargetName)], cancellationToken).ConfigureAwait(false);
            var own = await TableStreamer.OwnRowsAsync(dst, t.TargetName, cancellationToken).ConfigureAwait(false); // not an inheritance child's rows
            await ExecAsync(dst, delete ? $"DELETE FROM {own}" : $"TRUNCATE {own}", cancellationToken).ConfigureAwait(false);
            await TableStreamer.CopyAsync(src, t.Name, columns, options.Where, binary, [(dst, t.TargetName)], null, cancellationToken).ConfigureAwait(false);
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {t.TargetName.Quoted}", dst);
            rows += (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        await ExecAsync(dst, "COMMIT", cancellationToken).ConfigureAwait(false);
        await ExecAsync(src, "COMMIT", cancellationToken).ConfigureAwait(false);
        log.LogInformation("sync {Sync}: fullcopy of {Tables} table(s) to {Target}: {Rows} rows", sync.Name, sync.Tables.Count, target.Name, rows);
        return rows;
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
