using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// The reads conflict detection needs, sent in one round trip per batch of changes: local rows by key or by unique
/// values, read and locked with their commit time and origin (track_commit_timestamp), and tombstones of deleted keys.
/// </summary>
public sealed class ConflictLookups(MultiMasterLink link, Func<NpgsqlConnection> connection)
{
    readonly Dictionary<QualifiedName, IReadOnlyList<string[]>> _uniques = [];

    /// <summary>The row whose <paramref name="match"/> columns hold <paramref name="row"/>'s values, except one at <paramref name="notKey"/>'s key.</summary>
    public static ConflictLookup Row(RelationPlan plan, RowImage row, IReadOnlyList<int> match, IReadOnlyList<int>? notKey)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(match);
        var sql = LookupSql.For(plan, match, notKey);
        var cmd = new NpgsqlBatchCommand(sql.Lookup);
        foreach (var p in Parameters())
            cmd.Parameters.Add(p);
        return new ConflictLookup(cmd, ConflictLookupKind.Row, xmin => RowGuard.Command(sql.Guard, Parameters(), xmin))
        {
            LockOrder = "1" + plan.Target.Quoted + "\u0001" + string.Join(",", match) + "\u0001" + string.Join("\u0001", match.Select(c => row.Text(c))),
        };

        List<NpgsqlParameter> Parameters()
            => [.. match.Select(c => RelationPlan.Param(row, c)), .. (notKey ?? []).Select(c => RelationPlan.Param(row, c))];
    }

    /// <summary>The key's tombstones; its guard (for a key found absent) locks the key and checks they are unchanged.</summary>
    public ConflictLookup Tombstone(RelationInfo rel, string key)
    {
        ArgumentNullException.ThrowIfNull(rel);
        return new ConflictLookup(KeyCommand(TombstoneSql.Lookup, rel, key), ConflictLookupKind.Tombstone, found => KeyCommand(TombstoneSql.Guard, rel, key, found))
        {
            KeyLock = () => KeyCommand(TombstoneSql.Lock, rel, key),
        };
    }

    /// <summary>What the writers of the versions of a key that reached this node had seen (<see cref="TombstoneSql.SeenLookup"/>).</summary>
    /// <remarks>Its guard (<see cref="TombstoneSql.SeenGuard"/>) checks they are unchanged when the decision is applied.</remarks>
    public ConflictLookup Seen(RelationInfo rel, string key)
    {
        ArgumentNullException.ThrowIfNull(rel);
        return new ConflictLookup(KeyCommand(TombstoneSql.SeenLookup, rel, key), ConflictLookupKind.Seen, found => KeyCommand(TombstoneSql.SeenGuard, rel, key, found));
    }

    // A statement about one key of the sync's table: parameters sync, relation, key (and what a guard expects).
    NpgsqlBatchCommand KeyCommand(string sql, RelationInfo rel, string key, string? expected = null)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(new() { Value = link.Sync });
        cmd.Parameters.Add(new() { Value = rel.Name.Quoted });
        cmd.Parameters.Add(new() { Value = key });
        if (expected is not null)
            cmd.Parameters.Add(new() { Value = expected });
        return cmd;
    }

    /// <summary>The value tombstones of the unique value <paramref name="row"/> holds in <paramref name="columns"/>.</summary>
    public ConflictLookup ValueTombstone(RelationPlan plan, RowImage row, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(columns);
        var value = KeyJson.Of(plan.Source, row, columns);
        var target = plan.Target.Quoted;
        return new ConflictLookup(Command(ValueTombstoneSql.Lookup(target)), ConflictLookupKind.ValueTombstone, seen =>
        {
            var guard = Command(ValueTombstoneSql.Guard(target));
            guard.Parameters.Add(new() { Value = seen });
            return guard;
        });

        NpgsqlBatchCommand Command(string sql)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            cmd.Parameters.Add(new() { Value = link.Sync });
            cmd.Parameters.Add(new() { Value = target });
            cmd.Parameters.Add(new() { Value = value });
            return cmd;
        }
    }

    /// <summary>The lock on the unique value <paramref name="row"/> holds in <paramref name="columns"/> (<see cref="ValueTombstoneSql.Lock"/>).</summary>
    public ConflictLookup ValueLock(RelationPlan plan, RowImage row, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(columns);
        var value = KeyJson.Of(plan.Source, row, columns);
        var target = plan.Target.Quoted;
        return new ConflictLookup(Command(), ConflictLookupKind.ValueLock, _ => Command()) { LockOrder = "0" + target + "\u0001" + value };

        NpgsqlBatchCommand Command()
        {
            var cmd = new NpgsqlBatchCommand(ValueTombstoneSql.Lock(target));
            cmd.Parameters.Add(new() { Value = link.Sync });
            cmd.Parameters.Add(new() { Value = target });
            cmd.Parameters.Add(new() { Value = value });
            return cmd;
        }
    }

    /// <summary>Runs the lookups in one round trip; with <paramref name="withWalPosition"/>, also notes the node's WAL position.</summary>
    public async Task<NpgsqlLogSequenceNumber> RunAsync(IReadOnlyList<ConflictLookup> lookups, bool withWalPosition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        if (lookups.Count == 0)
            return default;
        var wal = default(NpgsqlLogSequenceNumber);
        lookups = ConflictLookup.InLockOrder(lookups);
        await using var batch = new NpgsqlBatch(connection());
        foreach (var l in lookups)
            batch.BatchCommands.Add(l.Command);
        // Last: a local delete that committed while a lookup waited for its row lock is before this position.
        if (withWalPosition)
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_wal_lsn()"));
        var unknownOrigin = false;
        IReadOnlyDictionary<string, string>? origins = null;
        await using (var r = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var l in lookups)
            {
                if (l.Kind == ConflictLookupKind.ValueLock)
                {
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // pg_advisory_xact_lock returns void: nothing to read.
                    }
                }
                else if (l.Kind == ConflictLookupKind.ValueTombstone)
                {
                    // Held by this node's own write (origin 0), by a node whose origin this is, or (null) unknown.
                    origins ??= link.Coordinator.OriginsInto(link.LocalNode);
                    var found = new List<RowVersion>();
                    var seen = new List<(long, long)>();
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        found.Add(new RowVersion(r.GetDateTime(0), r.GetInt32(2) == 0 ? link.LocalNode : origins.GetValueOrDefault(r.IsDBNull(1) ? "" : r.GetString(1))));
                        seen.Add((r.GetInt32(2), r.GetInt64(3)));
                    }
                    l.Tombstones = found;
                    l.Fingerprint = ValueTombstoneSql.Fingerprint(seen);
                }
                else if (l.IsTombstone)
                {
                    var found = new List<RowVersion>();
                    while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                        found.Add(new RowVersion(r.GetDateTime(0), r.GetString(1)));
                    l.Tombstones = found;
                    l.Fingerprint = TombstoneSql.Fingerprint(found);
                }
                else if (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var ts = r.IsDBNull(1) ? (DateTime?)null : r.GetDateTime(1);
                    var origin = r.IsDBNull(2) ? 0 : r.GetInt32(2);
                    var node = origin == 0 ? link.LocalNode : link.OriginNodes.GetValueOrDefault(origin);
                    unknownOrigin |= origin != 0 && node is null;
                    l.Result = new LocalRow(r.GetString(0), new RowVersion(ts, node), r.GetFieldValue<string?[]>(3)) { OriginId = origin, Xmin = r.GetString(4) };
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

    /// <summary>The table's unique indexes other than its key (plain columns, no predicate), each as its column names.</summary>
    public async Task<IReadOnlyList<string[]>> UniquesAsync(RelationPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
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
}
