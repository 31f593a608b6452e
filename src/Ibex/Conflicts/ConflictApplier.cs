using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// Applies a multi-master link's changes with conflict detection. For each row a transaction touches first, the local
/// version is read and locked (with its commit time and origin, from track_commit_timestamp), together with the
/// tombstone of a deleted row and rows that clash on other unique indexes — all in one round trip. A remote change
/// conflicts when the local version came from another node and the source had not seen it yet
/// (<see cref="BeginItem.Seen"/>); the table's strategy then picks the winner, identically on every node.
/// </summary>
/// <remarks>
/// Why this file is over the ~300 lines the data path aims for: the lookups of one batch of changes (rows, tombstones,
/// unique clashes, in one round trip) and the decision for each change share the batch's bookkeeping (rows touched
/// earlier in the same transaction). The decision as a pure function of (kind, versions, strategy) is the next part to
/// move out (issue: every conflict kind).
/// </remarks>
public sealed class ConflictApplier(MultiMasterLink link, Func<NpgsqlConnection> connection)
{
    static readonly TimeSpan RecorderWait = TimeSpan.FromSeconds(20);

    readonly Dictionary<(QualifiedName Table, string Key), bool> _touched = [];
    readonly Dictionary<QualifiedName, IReadOnlyList<string[]>> _uniques = [];
    BeginItem? _begin;

    public void BeginTransaction(BeginItem begin)
    {
        _begin = begin;
        _touched.Clear();
    }

    public async Task<ResolvedChanges> ResolveAsync(IReadOnlyList<(Change Change, RelationPlan Plan)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var begin = _begin ?? throw new InvalidOperationException("no transaction");
        var lookups = new List<Lookup>();
        var planned = new HashSet<(QualifiedName, string)>();
        var work = new List<Work>();
        foreach (var (change, plan) in changes)
        {
            if (change.Kind == ChangeKind.Truncate)
            {
                work.Add(new Work(change, plan, "", null, null, []));
                continue;
            }
            var rel = change.Relation;
            var row = change.Kind switch
            {
                ChangeKind.Insert => change.NewRow!,
                ChangeKind.Update => change.OldRow ?? change.NewRow!,
                _ => change.OldRow!,
            };
            var key = KeyJson.Of(rel, row, rel.KeyColumns);
            Lookup? rowLookup = null, tombLookup = null;
            if (!_touched.ContainsKey((plan.Target, key)) && planned.Add((plan.Target, key)))
            {
                rowLookup = AddLookup(lookups, RowLookup(plan, row, rel.KeyColumns, null));
                if (change.Kind is ChangeKind.Update or ChangeKind.Insert)
                    tombLookup = AddLookup(lookups, Tombstone(rel, key));
            }
            var clashes = new List<Lookup>();
            if (change.Kind is ChangeKind.Insert or ChangeKind.Update)
            {
                foreach (var cols in await UniquesAsync(plan, cancellationToken).ConfigureAwait(false))
                {
                    var idx = cols.Select(c => rel.Columns.ToList().IndexOf(c)).ToArray();
                    if (idx.Any(i => i < 0 || change.NewRow!.IsNull(i) || change.NewRow.IsUnchangedToast(i)))
                        continue;
                    clashes.Add(AddLookup(lookups, RowLookup(plan, change.NewRow!, idx, rel.KeyColumns)));
                }
                if (change.Kind == ChangeKind.Update && change.OldRow is not null && KeyJson.Of(rel, change.NewRow!, rel.KeyColumns) != key)
                    clashes.Add(AddLookup(lookups, RowLookup(plan, change.NewRow!, rel.KeyColumns, null)));
            }
            work.Add(new Work(change, plan, key, rowLookup, tombLookup, clashes));
        }
        // This node's own deletes are recorded as tombstones by its reader, a little after they commit. If that
        // recorder had not caught up with this node's WAL when we looked, look again once it has.
        var isSource = link.Coordinator.IsSource(link.LocalNode);
        var recordedBefore = link.Coordinator.Recorded(link.LocalNode);
        var walNow = await RunLookupsAsync(lookups, isSource, cancellationToken).ConfigureAwait(false);
        var unsure = work.Where(w => w.Tombstone is not null && w.Row is { Result: null }).ToList();
        if (isSource && unsure.Count > 0 && recordedBefore < walNow)
        {
            // A marker in this node's own stream, after everything committed so far: the reader passes it on at once,
            // even when nothing else is being written.
            var fence = await link.Coordinator.FenceAsync(link.LocalNode, cancellationToken).ConfigureAwait(false);
            if (!await link.Coordinator.WaitRecordedAsync(link.LocalNode, fence, RecorderWait, cancellationToken).ConfigureAwait(false))
                throw new ApplyException($"target '{link.LocalNode}': its own deletes are not being read (is its replication slot being read?); cannot decide a change of a deleted row in {unsure[0].Change.Relation.Name.Display} yet", true);
            var again = unsure.Select(w => (Work: w, Lookup: Tombstone(w.Change.Relation, w.Key))).ToList();
            await RunLookupsAsync([.. again.Select(a => a.Lookup)], false, cancellationToken).ConfigureAwait(false);
            foreach (var (w, l) in again)
                w.Tombstone!.Tombstones = l.Tombstones;
        }

        var result = new ResolvedChanges();
        foreach (var w in work)
            await DecideAsync(w, begin, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    async Task DecideAsync(Work w, BeginItem begin, ResolvedChanges result, CancellationToken cancellationToken)
    {
        var (change, plan) = (w.Change, w.Plan);
        var stmts = result.Statements;
        if (change.Kind == ChangeKind.Truncate)
        {
            stmts.Add(new NpgsqlBatchCommand($"TRUNCATE {plan.Target.Quoted}"));
            result.Counts.Truncates++;
            return;
        }
        var remote = new RowVersion(begin.CommitTimestamp, link.RemoteNode);
        var touchKey = (plan.Target, w.Key);
        var touched = _touched.TryGetValue(touchKey, out var existsNow);
        var local = touched ? null : w.Row?.Result;
        var strategy = link.StrategyFor(change.Relation.Name);

        // Another local row holding one of the new row's unique values.
        foreach (var clash in w.Clashes)
        {
            if (clash.Result is not { } other)
                continue;
            if (!await ContestAsync(ConflictKind.UniqueViolation, strategy, w, other, remote, begin, result, cancellationToken).ConfigureAwait(false))
                return;
            stmts.Add(DeleteByKey(plan, other.KeyValues));
            AddTombstone(stmts, change.Relation, KeyFromValues(change.Relation, other.KeyValues), begin.CommitTimestamp);
            result.Counts.Deletes++;
        }

        if (change.Kind == ChangeKind.Delete)
        {
            var delete = touched ? existsNow
                : local is not null && await ContestAsync(ConflictKind.DeleteUpdate, strategy, w, local, remote, begin, result, cancellationToken).ConfigureAwait(false);
            if (delete)
            {
                stmts.Add(plan.DeleteCommand(change.OldRow!));
                result.Counts.Deletes++;
                _touched[touchKey] = false;
            }
            else if (!touched && local is null)
                Record(ConflictKind.DeleteDelete, strategy, w, Gone(new RowVersion(null, null)), remote, begin, "remote", result);
            // Kept even when the delete lost: a later version it beats may still arrive.
            AddTombstone(stmts, change.Relation, w.Key, begin.CommitTimestamp);
            return;
        }

        // An insert or an update.
        bool apply;
        if (touched)
            apply = existsNow || change.Kind == ChangeKind.Insert;
        else if (local is not null)
            apply = await ContestAsync(change.Kind == ChangeKind.Insert ? ConflictKind.InsertInsert : ConflictKind.UpdateUpdate, strategy, w, local, remote, begin, result, cancellationToken).ConfigureAwait(false);
        else
        {
            // The key is absent here; if it was deleted, the strongest delete decides whether this version comes back.
            apply = true;
            if (Strongest(strategy, w.Tombstone?.Tombstones ?? [], begin) is { } deleted)
                apply = await ContestAsync(ConflictKind.UpdateDelete, strategy, w, Gone(deleted), remote, begin, result, cancellationToken).ConfigureAwait(false);
        }
        if (!apply)
            return;
        var exists = touched ? existsNow : local is not null;
        if (exists)
        {
            stmts.Add(change.Kind == ChangeKind.Insert ? plan.OverwriteCommand(change.NewRow!) : plan.UpdateCommand(change.NewRow!, change.OldRow));
            result.Counts.Updates++;
        }
        else
        {
            // A new row, or one coming back after a delete it beat (values not sent, unchanged TOAST, are NULL).
            stmts.Add(plan.InsertCommand(change.NewRow!));
            result.Counts.Inserts++;
        }
        _touched[touchKey] = false;
        _touched[(plan.Target, KeyJson.Of(change.Relation, change.NewRow!, change.Relation.KeyColumns))] = true;
    }

    static LocalRow Gone(RowVersion deleted) => new("null", deleted, []);

    /// <summary>The delete that matters most: the greatest under a total order, else the first one concurrent with the change.</summary>
    RowVersion? Strongest(ConflictStrategy strategy, IReadOnlyList<RowVersion> tombstones, BeginItem begin)
    {
        if (tombstones.Count == 0)
            return null;
        if (!strategy.IsTotalOrder)
            return tombstones.FirstOrDefault(t => Concurrent(t, begin));
        var best = tombstones[0];
        foreach (var t in tombstones.Skip(1))
            if (strategy.RemoteWins(best, t))
                best = t;
        return best;
    }

    /// <summary>
    /// Should the remote change replace this local version (a row, or a delete)? Latest and priority answer by their
    /// total order, whether or not the change was concurrent (only concurrent or losing changes are logged); the other
    /// strategies let changes the source made after seeing the local version through, and decide concurrent ones.
    /// </summary>
    async Task<bool> ContestAsync(ConflictKind kind, ConflictStrategy strategy, Work w, LocalRow local, RowVersion remote, BeginItem begin, ResolvedChanges result, CancellationToken cancellationToken)
    {
        var concurrent = Concurrent(local.Version, begin);
        if (strategy.IsTotalOrder)
        {
            var remoteWins = strategy.RemoteWins(local.Version, remote);
            if (concurrent || !remoteWins)
                Record(kind, strategy, w, local, remote, begin, remoteWins ? "remote" : "local", result);
            return remoteWins;
        }
        if (!concurrent)
            return true;
        return await ResolveAsync(kind, strategy, w, local, remote, begin, result, cancellationToken).ConfigureAwait(false) == Winner.Remote;
    }

    /// <summary>The local version came from another node, and the source had not applied it when it made this change.</summary>
    bool Concurrent(RowVersion local, BeginItem begin)
    {
        if (local.Node == link.RemoteNode)
            return false;
        if (local.CommitTimestamp is not { } t)
            return false;
        if (local.Node is null || begin.Seen is null || !begin.Seen.TryGetValue(local.Node, out var seen))
            return t > link.Coordinator.Baseline;
        return t > seen;
    }

    enum Winner
    {
        Local,
        Remote,
    }

    async Task<Winner> ResolveAsync(ConflictKind kind, ConflictStrategy strategy, Work w, LocalRow local, RowVersion remote, BeginItem begin, ResolvedChanges result, CancellationToken cancellationToken)
    {
        var effective = strategy;
        if (strategy.Kind == StrategyKind.Abort)
        {
            if (!link.IsOperatorResolved(w.Change.Relation.Name, w.Key, begin.CommitLsn, begin.CommitTimestamp))
                throw new ConflictAbortException(Record(kind, strategy, w, local, remote, begin, "aborted"));
            effective = ConflictStrategy.Latest; // resumed by an operator: the newest version wins, on every node alike
        }
        if (effective.Kind == StrategyKind.Custom)
        {
            await ApplyCustomAsync(effective, w, local, begin, result, cancellationToken).ConfigureAwait(false);
            Record(kind, strategy, w, local, remote, begin, "custom", result);
            return Winner.Local; // the custom result replaced whatever the change would have done
        }
        var winner = effective.RemoteWins(local.Version, remote) ? Winner.Remote : Winner.Local;
        Record(kind, strategy, w, local, remote, begin, winner == Winner.Remote ? "remote" : "local", result);
        return winner;
    }

    void Record(ConflictKind kind, ConflictStrategy strategy, Work w, LocalRow local, RowVersion remote, BeginItem begin, string winner, ResolvedChanges result)
        => result.Conflicts.Add(Record(kind, strategy, w, local, remote, begin, winner));

    ConflictRecord Record(ConflictKind kind, ConflictStrategy strategy, Work w, LocalRow local, RowVersion remote, BeginItem begin, string winner)
    {
        var rel = w.Change.Relation;
        var remoteRow = w.Change.NewRow is { } n ? KeyJson.Row(rel, n) : null;
        return new ConflictRecord(link.Sync, rel.Name.Schema, rel.Name.Name, w.Key, kind, link.LocalNode, local.Version.Node, link.RemoteNode,
            local.RowJson == "null" ? null : local.RowJson, remoteRow, local.Version.CommitTimestamp, remote.CommitTimestamp, strategy.Text, winner, begin.CommitLsn);
    }

    // custom:schema.function(table text, local jsonb, remote jsonb, local_ts timestamptz, remote_ts timestamptz) returns jsonb:
    // the row to keep, or NULL for "deleted". Its result replaces the local row.
    async Task ApplyCustomAsync(ConflictStrategy strategy, Work w, LocalRow local, BeginItem begin, ResolvedChanges result, CancellationToken cancellationToken)
    {
        var plan = w.Plan;
        var rel = w.Change.Relation;
        var fn = strategy.Function!.Value;
        var remoteJson = w.Change.NewRow is { } n ? KeyJson.Row(rel, n) : null;
        string? kept;
        await using (var cmd = new NpgsqlCommand(
            $"SELECT {fn.Quoted}($1, $2::jsonb, CASE WHEN $3::jsonb IS NOT NULL THEN (SELECT to_jsonb(r) FROM jsonb_populate_record(NULL::{plan.Target.Quoted}, $3::jsonb) r) END, $4, $5)::text", connection()))
        {
            cmd.Parameters.Add(new() { Value = rel.Name.Display });
            cmd.Parameters.Add(new() { Value = local.RowJson == "null" ? DBNull.Value : local.RowJson, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)remoteJson ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)local.Version.CommitTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = begin.CommitTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            kept = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        if (local.KeyValues.Count > 0)
            result.Statements.Add(DeleteByKey(plan, local.KeyValues));
        if (kept is null)
        {
            AddTombstone(result.Statements, rel, w.Key, begin.CommitTimestamp);
            result.Counts.Deletes++;
            _touched[(plan.Target, w.Key)] = false;
            return;
        }
        var cols = Ident.QuoteList(rel.Columns);
        var insert = new NpgsqlBatchCommand($"INSERT INTO {plan.Target.Quoted} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM jsonb_populate_record(NULL::{plan.Target.Quoted}, $1::jsonb)");
        insert.Parameters.Add(new() { Value = kept, NpgsqlDbType = NpgsqlDbType.Text });
        result.Statements.Add(insert);
        result.Counts.Updates++;
        _touched[(plan.Target, w.Key)] = true;
    }

    void AddTombstone(List<NpgsqlBatchCommand> stmts, RelationInfo rel, string key, DateTime at)
    {
        var cmd = new NpgsqlBatchCommand(TombstoneSql.Upsert);
        cmd.Parameters.Add(new() { Value = link.Sync });
        cmd.Parameters.Add(new() { Value = rel.Name.Quoted });
        cmd.Parameters.Add(new() { Value = key });
        cmd.Parameters.Add(new() { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = link.RemoteNode });
        stmts.Add(cmd);
    }

    static string KeyFromValues(RelationInfo rel, IReadOnlyList<string?> values)
        => KeyJson.Of(rel, RowImage.FromText([.. rel.Columns.Select((_, i) => rel.KeyColumns.Contains(i) ? values[rel.KeyColumns.ToList().IndexOf(i)] : null)]), rel.KeyColumns);

    static NpgsqlBatchCommand DeleteByKey(RelationPlan plan, IReadOnlyList<string?> keyValues)
    {
        var rel = plan.Source;
        var cmd = new NpgsqlBatchCommand($"DELETE FROM {plan.Target.Quoted} WHERE {string.Join(" AND ", rel.KeyColumns.Select((c, k) => $"{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, k + 1)}"))}");
        foreach (var v in keyValues)
            cmd.Parameters.Add(new() { Value = (object?)v ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown });
        return cmd;
    }

    Lookup RowLookup(RelationPlan plan, RowImage row, IReadOnlyList<int> match, IReadOnlyList<int>? notKey)
    {
        var rel = plan.Source;
        var n = 0;
        var where = string.Join(" AND ", match.Select(c => $"t.{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, ++n)}"));
        if (notKey is not null)
            where += " AND NOT (" + string.Join(" AND ", notKey.Select(c => $"t.{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, ++n)}")) + ")";
        var keys = string.Join(", ", rel.KeyColumns.Select(c => $"t.{Ident.Quote(rel.Columns[c])}::text"));
        var cmd = new NpgsqlBatchCommand(
            // The version comes from the select list: when the lock waited for a concurrent writer, PostgreSQL re-reads
            // the row's new version and computes the select list again, but a joined function would keep the old xmin.
            $"SELECT to_jsonb(t)::text, (pg_xact_commit_timestamp_origin(t.xmin)).timestamp, (pg_xact_commit_timestamp_origin(t.xmin)).roident::int, ARRAY[{keys}]::text[] FROM {plan.Target.Quoted} t WHERE {where} FOR UPDATE OF t");
        foreach (var c in match)
            cmd.Parameters.Add(RelationPlan.Param(row, c));
        foreach (var c in notKey ?? [])
            cmd.Parameters.Add(RelationPlan.Param(row, c));
        return new Lookup(cmd, false);
    }

    Lookup Tombstone(RelationInfo rel, string key)
    {
        var cmd = new NpgsqlBatchCommand(TombstoneSql.Lookup);
        cmd.Parameters.Add(new() { Value = link.Sync });
        cmd.Parameters.Add(new() { Value = rel.Name.Quoted });
        cmd.Parameters.Add(new() { Value = key });
        return new Lookup(cmd, true);
    }

    static Lookup AddLookup(List<Lookup> lookups, Lookup l)
    {
        lookups.Add(l);
        return l;
    }

    /// <summary>Runs the lookups in one round trip; with <paramref name="withWalPosition"/>, first notes the node's WAL position.</summary>
    async Task<NpgsqlLogSequenceNumber> RunLookupsAsync(IReadOnlyList<Lookup> lookups, bool withWalPosition, CancellationToken cancellationToken)
    {
        if (lookups.Count == 0)
            return default;
        var wal = default(NpgsqlLogSequenceNumber);
        await using var batch = new NpgsqlBatch(connection());
        foreach (var l in lookups)
            batch.BatchCommands.Add(l.Command);
        // Last: a local delete that committed while a lookup waited for its row lock is before this position.
        if (withWalPosition)
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_wal_lsn()"));
        var unknownOrigin = false;
        await using (var r = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
        foreach (var l in lookups)
        {
            if (l.IsTombstone)
            {
                var found = new List<RowVersion>();
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    found.Add(new RowVersion(r.GetDateTime(0), r.GetString(1)));
                l.Tombstones = found;
            }
            else if (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                {
                    var ts = r.IsDBNull(1) ? (DateTime?)null : r.GetDateTime(1);
                    var origin = r.IsDBNull(2) ? 0 : r.GetInt32(2);
                    var node = origin == 0 ? link.LocalNode : link.OriginNodes.GetValueOrDefault(origin);
                    unknownOrigin |= origin != 0 && node is null;
                    l.Result = new LocalRow(r.GetString(0), new RowVersion(ts, node), r.GetFieldValue<string?[]>(3)) { OriginId = origin };
                }
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    // A unique lookup can only match one row; anything more is ignored.
                }
            }
            await r.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
        if (withWalPosition)
        {
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            wal = r.GetFieldValue<NpgsqlLogSequenceNumber>(0);
        }
        }
        if (!unknownOrigin)
            return wal;
        // An origin created after this session started (another link's applier made it): learn it and fill in the writers.
        await LoadOriginsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var l in lookups)
            if (l.Result is { OriginId: not 0, Version.Node: null } row && link.OriginNodes.TryGetValue(row.OriginId, out var node))
                l.Result = row with { Version = row.Version with { Node = node } };
        return wal;
    }

    /// <summary>Maps this node's replication origin ids to the nodes their changes come from.</summary>
    public async Task LoadOriginsAsync(CancellationToken cancellationToken)
    {
        var names = link.Coordinator.OriginsInto(link.LocalNode);
        await using var cmd = new NpgsqlCommand("SELECT roident::int, roname FROM pg_replication_origin", connection());
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            if (names.TryGetValue(r.GetString(1), out var node))
                link.OriginNodes[r.GetInt32(0)] = node;
    }

    async Task<IReadOnlyList<string[]>> UniquesAsync(RelationPlan plan, CancellationToken cancellationToken)
    {
        if (_uniques.TryGetValue(plan.Target, out var known))
            return known;
        var keyCols = plan.Source.KeyColumns.Select(i => plan.Source.Columns[i]).ToHashSet();
        var list = new List<string[]>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT array_agg(a.attname::text ORDER BY k.ord)
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
            GROUP BY i.indexrelid
            """, connection()))
        {
            cmd.Parameters.Add(new() { Value = plan.Target.Quoted });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var cols = r.GetFieldValue<string[]>(0);
                if (!cols.ToHashSet().SetEquals(keyCols))
                    list.Add(cols);
            }
        }
        _uniques[plan.Target] = list;
        return list;
    }

    sealed record Work(Change Change, RelationPlan Plan, string Key, Lookup? Row, Lookup? Tombstone, List<Lookup> Clashes);

    sealed class Lookup(NpgsqlBatchCommand command, bool isTombstone)
    {
        public NpgsqlBatchCommand Command { get; } = command;

        public bool IsTombstone { get; } = isTombstone;

        public LocalRow? Result { get; set; }

        public IReadOnlyList<RowVersion> Tombstones { get; set; } = [];
    }
}
