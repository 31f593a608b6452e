using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Compare;

/// <summary>
/// The statements a comparison runs on each node for one table. A row is summarised as a hash of the text of the
/// compared columns (<c>ROW(a, b, …)::text</c>, which tells NULL from an empty string): PostgreSQL's 64-bit
/// <c>hashtextextended</c> when every node computes it alike (same byte order), else the first 64 bits of its md5;
/// a set of rows as its count and the sum of its rows' hashes, which is independent of row order. Tables without a
/// key always use md5, which also names their rows. Key bounds travel as parameters of unknown type, so PostgreSQL
/// reads them as the key columns' own types.
/// </summary>
public sealed class TableSql
{
    public TableSql(QualifiedName table, IReadOnlyList<string> columns, IReadOnlyList<string> key, bool fastHash = false)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(key);
        if (columns.Count == 0)
            throw new ArgumentException("A comparison needs at least one column.", nameof(columns));
        Table = table;
        Columns = columns;
        Key = key;
        var row = $"ROW({Ident.QuoteList(columns)})::text";
        FastHash = fastHash && key.Count > 0;
        RowHash = FastHash ? $"hashtextextended({row}, 0)::text" : $"md5({row})";
        RowSum = FastHash ? $"coalesce(sum(hashtextextended({row}, 0)), 0)::text" : Sum64(RowHash);
        KeyTexts = string.Join(", ", key.Select(k => Ident.Quote(k) + "::text"));
        ColumnTexts = string.Join(", ", columns.Select(c => Ident.Quote(c) + "::text"));
    }

    public QualifiedName Table { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Key columns; empty for a table compared by whole rows.</summary>
    public IReadOnlyList<string> Key { get; }

    /// <summary>True when rows are hashed with hashtextextended rather than md5.</summary>
    public bool FastHash { get; }

    /// <summary>Hash of one row's text, as text.</summary>
    public string RowHash { get; }

    /// <summary>Order-independent sum of the row hashes of a set of rows, as text.</summary>
    string RowSum { get; }

    string KeyTexts { get; }

    string ColumnTexts { get; }

    string KeyList => Ident.QuoteList(Key);

    static string Sum64(string md5) => $"coalesce(sum(('x' || left({md5}, 16))::bit(64)::bigint), 0)::text";

    /// <summary><c>count, sum</c> of the rows in a key range.</summary>
    public NpgsqlBatchCommand HashRange(KeyRange range)
    {
        var cmd = new NpgsqlBatchCommand();
        cmd.CommandText = $"SELECT count(*), {RowSum} FROM {Table.Quoted} WHERE {Where(range, cmd)}";
        return cmd;
    }

    /// <summary>Every <paramref name="step"/>-th key of a range (in key order), as text: where to split it.</summary>
    public NpgsqlBatchCommand Boundaries(KeyRange range, long step, long count)
    {
        var cmd = new NpgsqlBatchCommand();
        var where = Where(range, cmd);
        var stepParam = Add(cmd, step);
        var countParam = Add(cmd, count);
        cmd.CommandText = $"SELECT {KeyTexts} FROM (SELECT {KeyList}, row_number() OVER (ORDER BY {KeyList}) AS \"ibex rn\" FROM {Table.Quoted} WHERE {where}) x "
                          + $"WHERE \"ibex rn\" % {stepParam} = 0 AND \"ibex rn\" < {countParam} ORDER BY \"ibex rn\"";
        return cmd;
    }

    /// <summary>Key (as text) and row hash of every row of a range.</summary>
    public NpgsqlBatchCommand KeyHashes(KeyRange range)
    {
        var cmd = new NpgsqlBatchCommand();
        cmd.CommandText = $"SELECT {KeyTexts}, {RowHash} FROM {Table.Quoted} WHERE {Where(range, cmd)}";
        return cmd;
    }

    /// <summary>Key, row hash and (optionally) every compared column as text, of the rows with the given keys.</summary>
    public NpgsqlBatchCommand RowsByKey(IReadOnlyList<RowKey> keys, bool values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var cmd = new NpgsqlBatchCommand();
        var tuples = new List<string>(keys.Count);
        foreach (var k in keys)
        {
            var ps = k.Values.Select(v => AddUnknown(cmd, v)).ToList();
            tuples.Add(Key.Count == 1 ? ps[0] : "(" + string.Join(", ", ps) + ")");
        }
        var lhs = Key.Count == 1 ? Ident.Quote(Key[0]) : "(" + KeyList + ")";
        cmd.CommandText = $"SELECT {KeyTexts}, {RowHash}{(values ? ", " + ColumnTexts : "")} FROM {Table.Quoted} WHERE {lhs} IN ({string.Join(", ", tuples)})";
        return cmd;
    }

    /// <summary>For tables without a key: count and sum per bucket of rows whose hash starts with the same <paramref name="prefix"/> hex digits.</summary>
    public NpgsqlBatchCommand Buckets(int prefix)
    {
        var cmd = new NpgsqlBatchCommand();
        var p = Add(cmd, prefix);
        cmd.CommandText = $"SELECT left(h, {p}), count(*), {Sum64("h")} FROM (SELECT {RowHash} AS h FROM {Table.Quoted} OFFSET 0) x GROUP BY 1";
        return cmd;
    }

    /// <summary>For tables without a key: how many times each row hash occurs, for hashes starting with one of <paramref name="prefixes"/>.</summary>
    public NpgsqlBatchCommand HashCounts(IReadOnlyList<string> prefixes, int prefix)
    {
        var cmd = new NpgsqlBatchCommand();
        var p = Add(cmd, prefix);
        var list = Add(cmd, prefixes.ToArray());
        cmd.CommandText = $"SELECT h, count(*) FROM (SELECT {RowHash} AS h FROM {Table.Quoted} OFFSET 0) x WHERE left(h, {p}) = ANY({list}) GROUP BY h";
        return cmd;
    }

    /// <summary>For tables without a key: one row per given hash, its columns as text.</summary>
    public NpgsqlBatchCommand RowsByHash(IReadOnlyList<string> hashes)
    {
        var cmd = new NpgsqlBatchCommand();
        var list = Add(cmd, hashes.ToArray());
        cmd.CommandText = $"SELECT DISTINCT ON (\"ibex h\") * FROM (SELECT {RowHash} AS \"ibex h\", {ColumnTexts} FROM {Table.Quoted} OFFSET 0) x WHERE \"ibex h\" = ANY({list})";
        return cmd;
    }

    string Where(KeyRange range, NpgsqlBatchCommand cmd)
    {
        var parts = new List<string>(2);
        if (range.After is { } after)
            parts.Add(Compare(">", after, cmd));
        if (range.UpTo is { } upTo)
            parts.Add(Compare("<=", upTo, cmd));
        return parts.Count == 0 ? "true" : string.Join(" AND ", parts);
    }

    string Compare(string op, IReadOnlyList<string> values, NpgsqlBatchCommand cmd)
    {
        var ps = values.Select(v => AddUnknown(cmd, v)).ToList();
        return Key.Count == 1
            ? $"{Ident.Quote(Key[0])} {op} {ps[0]}"
            : $"({KeyList}) {op} ({string.Join(", ", ps)})";
    }

    static string AddUnknown(NpgsqlBatchCommand cmd, string value)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown });
        return "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    static string Add<T>(NpgsqlBatchCommand cmd, T value)
    {
        cmd.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
