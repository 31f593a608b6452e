using System.Text.Json;
using Ibex.Conflicts;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Copy;

/// <summary>
/// The initial copy into a table that already holds rows (written on the target since the sync was made, or brought by
/// another source's stream): the copied rows go to a temporary stage table in the copy's transaction, then are merged
/// into the table by <see cref="CopyMergeRules"/>, so nothing the target holds is erased and nothing copied is lost.
/// The caller's session must be inside the copy's transaction (the stage is dropped at its commit).
/// </summary>
/// <param name="ownRows">The table's own rows as SQL (<c>ONLY t</c>, or <c>t</c> for a partitioned table): never an inheritance child's.</param>
public sealed class StagedMerge(NpgsqlConnection conn, QualifiedName table, string ownRows, IReadOnlyList<string> columns, IReadOnlyList<string> keys, ILogger log)
{
    /// <summary>The stage table, in the session's temporary schema.</summary>
    public static readonly QualifiedName Stage = new("pg_temp", "ibex_copy_stage");

    /// <summary>Multi-master: the stage's extra column with each row's commit time on the source.</summary>
    public const string CommitTimestampColumn = "ibex_copied_commit_ts";

    const int MaxRounds = 8;

    string KeyMatch => string.Join(" AND ", keys.Select(k => $"l.{Ident.Quote(k)} = s.{Ident.Quote(k)}"));

    /// <summary>Creates the empty stage with the copied columns (no constraints), plus the commit time for multi-master.</summary>
    public async Task CreateStageAsync(bool withCommitTimestamp, CancellationToken cancellationToken)
    {
        await ExecAsync($"DROP TABLE IF EXISTS {Stage.Quoted}", cancellationToken).ConfigureAwait(false);
        await ExecAsync($"CREATE TEMP TABLE {Ident.Quote(Stage.Name)} ON COMMIT DROP AS SELECT {Ident.QuoteList(columns)} FROM {table.Quoted} WITH NO DATA", cancellationToken).ConfigureAwait(false);
        if (withCommitTimestamp)
            await ExecAsync($"ALTER TABLE {Stage.Quoted} ADD COLUMN {Ident.Quote(CommitTimestampColumn)} timestamptz", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One-way: the source's rows replace the target's rows of the same key; rows only the target has stay.</summary>
    public async Task<long> MergeSourceWinsAsync(CancellationToken cancellationToken)
    {
        var cols = Ident.QuoteList(columns);
        if (keys.Count == 0)
        {
            // No key to match rows by (REPLICA IDENTITY FULL): the copied rows are added beside the target's own.
            log.LogWarning("table {Table} has no key and already held rows on the target; the copied rows were added beside them (rows the target had are kept, so some may now be there twice)", table.Display);
            return await ExecAsync($"INSERT INTO {table.Quoted} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {Stage.Quoted}", cancellationToken).ConfigureAwait(false);
        }
        var others = columns.Where(c => !keys.Contains(c)).ToList();
        var onConflict = others.Count == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", others.Select(c => $"{Ident.Quote(c)} = EXCLUDED.{Ident.Quote(c)}"));
        return await ExecAsync($"INSERT INTO {table.Quoted} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {Stage.Quoted} ON CONFLICT ({Ident.QuoteList(keys)}) {onConflict}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Multi-master: every copied row that meets a local row or a local delete of its key is decided by the strategy
    /// (the copied version is the source's commit time and node); the rest are inserted. Rows a local writer inserts
    /// meanwhile are met in the next round. Returns the conflicts found.
    /// </summary>
    public async Task<IReadOnlyList<ConflictRecord>> MergeByStrategyAsync(MultiMasterCopy mm, string localNode, QualifiedName sourceTable, NpgsqlLogSequenceNumber snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mm);
        if (keys.Count == 0)
            throw new IbexException($"table {table.Display} on '{localNode}' has no key, so copied rows cannot be merged with the rows written there; give it a primary key, or empty it and restart the copy");
        var strategy = mm.Coordinator.StrategyFor(sourceTable);
        var conflicts = new List<ConflictRecord>();
        var origins = mm.Coordinator.OriginsInto(localNode);
        await DropDeletedAsync(mm, strategy, localNode, sourceTable, snapshot, conflicts, cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < MaxRounds; round++)
        {
            var met = await MeetLocalRowsAsync(mm, strategy, localNode, origins, sourceTable, snapshot, conflicts, cancellationToken).ConfigureAwait(false);
            var inserted = await InsertNewAsync(mm, strategy, localNode, sourceTable, snapshot, conflicts, cancellationToken).ConfigureAwait(false);
            var left = await CountStageAsync(cancellationToken).ConfigureAwait(false);
            if (left == 0)
                return conflicts;
            if (met == 0 && inserted == 0)
            {
                // Neither a row of the same key nor insertable: they clash with other local rows on another unique index.
                log.LogWarning("sync {Sync}: {Count} copied row(s) of {Table} clash with other rows on '{Node}' on a unique index other than the key; the rows '{Node}' holds were kept", mm.Coordinator.SyncName, left, table.Display, localNode, localNode);
                return conflicts;
            }
        }
        throw new IbexException($"table {table.Display} on '{localNode}': the copy could not be merged with the rows being written there after {MaxRounds} rounds; it is retried");
    }

    // Copied rows of keys deleted on this node since the sync was made: the strongest delete and the copy are contested.
    async Task DropDeletedAsync(MultiMasterCopy mm, ConflictStrategy strategy, string localNode, QualifiedName sourceTable, NpgsqlLogSequenceNumber snapshot, List<ConflictRecord> conflicts, CancellationToken cancellationToken)
    {
        await mm.AwaitOwnDeletesAsync(localNode, cancellationToken).ConfigureAwait(false);
        var deletes = await TombstonesAsync(mm, sourceTable, cancellationToken).ConfigureAwait(false);
        if (deletes.Count == 0)
            return;
        var keyTexts = keys.Select(_ => new List<string?>()).ToList();
        var keyOrder = new List<string>();
        foreach (var key in deletes.Keys)
        {
            using var doc = JsonDocument.Parse(key);
            var values = keys.Select(k => doc.RootElement.TryGetProperty(k, out var v) ? v.GetString() : null).ToList();
            if (values.Any(v => v is null))
                continue;
            for (var i = 0; i < keys.Count; i++)
                keyTexts[i].Add(values[i]);
            keyOrder.Add(key);
        }
        var unnest = string.Join(", ", keys.Select((_, i) => $"${i + 1}::text[]"));
        var names = string.Join(", ", keys.Select((_, i) => $"k{i}"));
        var match = string.Join(" AND ", keys.Select((k, i) => $"s.{Ident.Quote(k)}::text = u.k{i}"));
        var drop = new List<string>();
        await using (var cmd = new NpgsqlCommand($"SELECT s.ctid::text, s.{Ident.Quote(CommitTimestampColumn)}, u.i::int FROM {Stage.Quoted} s JOIN unnest({unnest}) WITH ORDINALITY AS u({names}, i) ON {match}", conn))
        {
            foreach (var list in keyTexts)
                cmd.Parameters.Add(new() { Value = list.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = keyOrder[r.GetInt32(2) - 1];
                var copied = new RowVersion(r.IsDBNull(1) ? null : r.GetDateTime(1), mm.Source);
                var deleted = CopyMergeRules.StrongestDelete(strategy, deletes[key])!;
                var copiedWins = CopyMergeRules.CopiedWins(strategy, deleted, copied);
                if (!copiedWins)
                    drop.Add(r.GetString(0));
                conflicts.Add(Record(mm, strategy, localNode, sourceTable, key, ConflictKind.UpdateDeleted, null, deleted, null, copied, copiedWins, snapshot));
            }
        }
        await DropFromStageAsync(drop, cancellationToken).ConfigureAwait(false);
    }

    // Copied rows whose key this node already holds: lock the local row, decide, replace it where the copy wins. The
    // version is read in the select list, not from a joined function: a row a writer changed while the lock waited is
    // re-read as its new version, and only the select list is computed again from it.
    async Task<int> MeetLocalRowsAsync(MultiMasterCopy mm, ConflictStrategy strategy, string localNode, IReadOnlyDictionary<string, string> origins, QualifiedName sourceTable, NpgsqlLogSequenceNumber snapshot, List<ConflictRecord> conflicts, CancellationToken cancellationToken)
    {
        var keyArray = string.Join(", ", keys.Select(k => $"s.{Ident.Quote(k)}::text"));
        var sql = $"""
            SELECT s.ctid::text, s.{Ident.Quote(CommitTimestampColumn)}, (pg_xact_commit_timestamp_origin(l.xmin)).timestamp,
                   (SELECT o.roname::text FROM pg_replication_origin o WHERE o.roident = (pg_xact_commit_timestamp_origin(l.xmin)).roident),
                   to_jsonb(l)::text, (to_jsonb(s) - '{CommitTimestampColumn}')::text, ARRAY[{keyArray}]
            FROM {Stage.Quoted} s JOIN {ownRows} l ON {KeyMatch}
            FOR UPDATE OF l
            """;
        var met = new List<string>();
        var replace = new List<string>();
        await using (var cmd = new NpgsqlCommand(sql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var ctid = r.GetString(0);
                met.Add(ctid);
                var copied = new RowVersion(r.IsDBNull(1) ? null : r.GetDateTime(1), mm.Source);
                var node = r.IsDBNull(3) ? localNode : origins.GetValueOrDefault(r.GetString(3));
                var local = new RowVersion(r.IsDBNull(2) ? null : r.GetDateTime(2), node);
                var copiedWins = CopyMergeRules.CopiedWins(strategy, local, copied);
                if (copiedWins)
                    replace.Add(ctid);
                if (CopyMergeRules.IsConflict(local, mm.Source))
                {
                    var key = KeyJson.Of(keys.Zip(r.GetFieldValue<string?[]>(6)));
                    conflicts.Add(Record(mm, strategy, localNode, sourceTable, key, ConflictKind.InsertExists, r.GetString(4), local, r.GetString(5), copied, copiedWins, snapshot));
                }
            }
        }
        if (replace.Count > 0)
        {
            var set = string.Join(", ", columns.Where(c => !keys.Contains(c)).Select(c => $"{Ident.Quote(c)} = s.{Ident.Quote(c)}"));
            if (set.Length > 0)
            {
                await using var update = new NpgsqlCommand($"UPDATE {ownRows} l SET {set} FROM {Stage.Quoted} s WHERE s.ctid = ANY($1::text[]::tid[]) AND {KeyMatch}", conn);
                update.Parameters.Add(new() { Value = replace.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await DropFromStageAsync(met, cancellationToken).ConfigureAwait(false);
        return met.Count;
    }

    // Inserts every staged row whose key is still free; removes what went in from the stage. A local delete of such a
    // key that committed after the tombstones were read (before this insert) is recorded only a little later: once this
    // node's recorder has passed this point, the rows inserted over such a delete are contested again and removed
    // where the delete wins, in this same transaction.
    async Task<long> InsertNewAsync(MultiMasterCopy mm, ConflictStrategy strategy, string localNode, QualifiedName sourceTable, NpgsqlLogSequenceNumber snapshot, List<ConflictRecord> conflicts, CancellationToken cancellationToken)
    {
        var cols = Ident.QuoteList(columns);
        var match = string.Join(" AND ", keys.Select(k => $"i.{Ident.Quote(k)} = s.{Ident.Quote(k)}"));
        var keyArray = string.Join(", ", keys.Select(k => $"s.{Ident.Quote(k)}::text"));
        var inserted = new List<(string Key, IReadOnlyList<string?> Values, RowVersion Copied)>();
        await using (var cmd = new NpgsqlCommand($"""
            WITH i AS (INSERT INTO {table.Quoted} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {Stage.Quoted} ON CONFLICT DO NOTHING RETURNING {Ident.QuoteList(keys)})
            , d AS (DELETE FROM {Stage.Quoted} s USING i WHERE {match} RETURNING ARRAY[{keyArray}] AS k, s.{Ident.Quote(CommitTimestampColumn)} AS ts)
            SELECT k, ts FROM d
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var values = r.GetFieldValue<string?[]>(0);
                inserted.Add((KeyJson.Of(keys.Zip(values)), values, new RowVersion(r.IsDBNull(1) ? null : r.GetDateTime(1), mm.Source)));
            }
        if (inserted.Count == 0)
            return 0;
        await mm.AwaitOwnDeletesAsync(localNode, cancellationToken).ConfigureAwait(false);
        var deletes = await TombstonesAsync(mm, sourceTable, cancellationToken).ConfigureAwait(false);
        var undo = new List<IReadOnlyList<string?>>();
        foreach (var (key, values, copied) in inserted)
        {
            if (!deletes.TryGetValue(key, out var versions))
                continue;
            var deleted = CopyMergeRules.StrongestDelete(strategy, versions)!;
            if (CopyMergeRules.CopiedWins(strategy, deleted, copied))
                continue;
            undo.Add(values);
            conflicts.Add(Record(mm, strategy, localNode, sourceTable, key, ConflictKind.UpdateDeleted, null, deleted, null, copied, false, snapshot));
        }
        if (undo.Count > 0)
        {
            var unnest = string.Join(", ", keys.Select((_, i) => $"${i + 1}::text[]"));
            var names = string.Join(", ", keys.Select((_, i) => $"k{i}"));
            var byKey = string.Join(" AND ", keys.Select((k, i) => $"l.{Ident.Quote(k)}::text = u.k{i}"));
            await using var del = new NpgsqlCommand($"DELETE FROM {ownRows} l USING unnest({unnest}) AS u({names}) WHERE {byKey}", conn);
            for (var i = 0; i < keys.Count; i++)
                del.Parameters.Add(new() { Value = undo.Select(v => v[i]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await del.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            log.LogInformation("sync {Sync}: {Count} copied row(s) of {Table} met deletes made on '{Node}' while the copy was merged; the deletes won", mm.Coordinator.SyncName, undo.Count, table.Display, localNode);
        }
        return inserted.Count;
    }

    async Task<Dictionary<string, List<RowVersion>>> TombstonesAsync(MultiMasterCopy mm, QualifiedName sourceTable, CancellationToken cancellationToken)
    {
        var deletes = new Dictionary<string, List<RowVersion>>();
        await using var cmd = new NpgsqlCommand("SELECT key, deleted_at, deleted_by FROM ibex_mm.tombstone WHERE sync = $1 AND relation = $2", conn);
        cmd.Parameters.Add(new() { Value = mm.Coordinator.SyncName });
        cmd.Parameters.Add(new() { Value = sourceTable.Quoted });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = r.GetString(0);
            if (!deletes.TryGetValue(key, out var list))
                deletes[key] = list = [];
            list.Add(new RowVersion(r.GetDateTime(1), r.GetString(2)));
        }
        return deletes;
    }

    async Task<long> CountStageAsync(CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {Stage.Quoted}", conn);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    async Task DropFromStageAsync(List<string> ctids, CancellationToken cancellationToken)
    {
        if (ctids.Count == 0)
            return;
        await using var cmd = new NpgsqlCommand($"DELETE FROM {Stage.Quoted} WHERE ctid = ANY($1::text[]::tid[])", conn);
        cmd.Parameters.Add(new() { Value = ctids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    ConflictRecord Record(MultiMasterCopy mm, ConflictStrategy strategy, string localNode, QualifiedName sourceTable, string key, ConflictKind kind, string? localRow, RowVersion local, string? copiedRow, RowVersion copied, bool copiedWins, NpgsqlLogSequenceNumber snapshot)
        => new(mm.Coordinator.SyncName, sourceTable.Schema, sourceTable.Name, key, kind, localNode, local.Node, mm.Source, localRow, copiedRow,
            local.CommitTimestamp, copied.CommitTimestamp, strategy.Text, copiedWins ? "remote" : "local", snapshot);

    async Task<long> ExecAsync(string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
