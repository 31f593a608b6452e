using System.Text;
using Npgsql;

namespace Ibex.Compare;

/// <summary>One node's side of a table comparison: runs <see cref="TableSql"/> statements (batched, one round trip per call) and counts what it reads.</summary>
public sealed class TableSide(string node, NpgsqlConnection connection, TableSql sql, CompareStats stats)
{
    /// <summary>Keys per statement when rows are fetched by key (keeps parameter counts well below PostgreSQL's limit).</summary>
    const int ParametersPerStatement = 20000;

    public string Node { get; } = node;

    public TableSql Sql { get; } = sql;

    public async Task<IReadOnlyList<RangeHash>> HashAsync(IReadOnlyList<KeyRange> ranges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var result = new RangeHash[ranges.Count];
        await RunAsync([.. ranges.Select(Sql.HashRange)], (i, r) => result[i] = new RangeHash(Long(r, 0), Text(r, 1)!), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>For each range, its split points: every step-th key in key order, excluding the last row.</summary>
    public async Task<IReadOnlyList<List<IReadOnlyList<string>>>> BoundariesAsync(IReadOnlyList<(KeyRange Range, long Step, long Count)> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = items.Select(_ => new List<IReadOnlyList<string>>()).ToList();
        await RunAsync([.. items.Select(x => Sql.Boundaries(x.Range, x.Step, x.Count))], (i, r) => result[i].Add(KeyOf(r).Values), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Key and row hash of every row in the ranges.</summary>
    public async Task<Dictionary<RowKey, string>> KeyHashesAsync(IReadOnlyList<KeyRange> ranges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var result = new Dictionary<RowKey, string>();
        await RunAsync([.. ranges.Select(Sql.KeyHashes)], (_, r) => result[KeyOf(r)] = Text(r, Sql.Key.Count)!, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Row hash and, when <paramref name="values"/> is set, column values of the rows with these keys (absent keys are left out).</summary>
    public async Task<Dictionary<RowKey, (string Hash, string?[]? Values)>> RowsByKeyAsync(IReadOnlyCollection<RowKey> keys, bool values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<RowKey, (string, string?[]?)>();
        if (keys.Count == 0)
            return result;
        var chunk = Math.Max(1, ParametersPerStatement / Math.Max(1, Sql.Key.Count));
        var commands = keys.Chunk(chunk).Select(c => Sql.RowsByKey(c, values)).ToList();
        var first = Sql.Key.Count + 1;
        await RunAsync(commands, (_, r) =>
        {
            string?[]? row = null;
            if (values)
            {
                row = new string?[Sql.Columns.Count];
                for (var i = 0; i < row.Length; i++)
                    row[i] = Text(r, first + i);
            }
            result[KeyOf(r)] = (Text(r, Sql.Key.Count)!, row);
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Tables without a key: count and sum per hash-prefix bucket.</summary>
    public async Task<Dictionary<string, RangeHash>> BucketsAsync(int prefix, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, RangeHash>(StringComparer.Ordinal);
        await RunAsync([Sql.Buckets(prefix)], (_, r) => result[Text(r, 0)!] = new RangeHash(Long(r, 1), Text(r, 2)!), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Tables without a key: occurrences of each row hash in the given buckets.</summary>
    public async Task<Dictionary<string, long>> HashCountsAsync(IReadOnlyList<string> prefixes, int prefix, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (prefixes.Count > 0)
            await RunAsync([Sql.HashCounts(prefixes, prefix)], (_, r) => result[Text(r, 0)!] = Long(r, 1), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Tables without a key: the column values of one row per hash.</summary>
    public async Task<Dictionary<string, string?[]>> RowsByHashAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        if (hashes.Count == 0)
            return result;
        await RunAsync([Sql.RowsByHash(hashes)], (_, r) =>
        {
            var row = new string?[Sql.Columns.Count];
            for (var i = 0; i < row.Length; i++)
                row[i] = Text(r, 1 + i);
            result[Text(r, 0)!] = row;
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    RowKey KeyOf(NpgsqlDataReader r)
    {
        var values = new string[Sql.Key.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = Text(r, i)!;
        return new RowKey(values);
    }

    string? Text(NpgsqlDataReader r, int i)
    {
        if (r.IsDBNull(i))
            return null;
        var s = r.GetString(i);
        stats.AddBytes(Encoding.UTF8.GetByteCount(s));
        return s;
    }

    long Long(NpgsqlDataReader r, int i)
    {
        stats.AddBytes(8);
        return r.GetInt64(i);
    }

    async Task RunAsync(IReadOnlyList<NpgsqlBatchCommand> commands, Action<int, NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        if (commands.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(connection);
        foreach (var c in commands)
            batch.BatchCommands.Add(c);
        stats.AddQueries(commands.Count);
        try
        {
            await using var r = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var index = 0;
            do
            {
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                    row(index, r);
                index++;
            }
            while (await r.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (PostgresException e)
        {
            throw new IbexException($"node '{Node}': comparing {Sql.Table.Display} failed: {Errors.Describe(e)}", e);
        }
    }
}
