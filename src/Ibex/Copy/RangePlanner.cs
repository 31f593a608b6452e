using System.Globalization;
using Ibex.Catalog;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// Splits a large table's copy into ranges of about a given size, cheaply: the table's size on disk gives the number
/// of ranges; a single-column integer key is split evenly between its min and max (two index probes), a uuid key
/// evenly over the uuid space, anything else by ctid block ranges. Text keys are split by blocks too: a change's row
/// could only be mapped to a text range under the source column's collation, which Ibex cannot evaluate itself.
/// </summary>
public static class RangePlanner
{
    /// <summary>Key types split by value (OIDs of smallint, integer, bigint).</summary>
    static readonly HashSet<uint> IntegerTypes = [21, 23, 20];

    const uint UuidType = 2950;

    /// <summary>
    /// The plan for one table, read inside the copy's snapshot on <paramref name="source"/>; null when the table is too
    /// small to split (one range) or is partitioned (its rows are its partitions').
    /// </summary>
    public static async Task<RangePlan?> PlanAsync(NpgsqlConnection source, TableInfo table, string ownRows, long rangeBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Partitioned)
            return null;
        long bytes, blockSize;
        await using (var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_relation_size(pg_catalog.to_regclass($1)), current_setting('block_size')::bigint", source))
        {
            cmd.Parameters.Add(new() { Value = table.Name.Quoted });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            bytes = r.GetInt64(0);
            blockSize = r.GetInt64(1);
        }
        var count = Count(bytes, rangeBytes);
        if (count < 2)
            return null;
        // The key bounds a range only when every change carries it (as the primary key or in a full old row).
        var identified = table.ReplicaIdentity == 'f' || (table.HasPrimaryKey && table.ReplicaIdentity == 'd');
        var key = identified && table.KeyColumns.Count == 1 ? table.Columns.FirstOrDefault(c => c.Name == table.KeyColumns[0]) : null;
        if (key is not null && IntegerTypes.Contains(key.TypeOid))
        {
            await using var cmd = new NpgsqlCommand($"SELECT min({Sql.Ident.Quote(key.Name)})::bigint, max({Sql.Ident.Quote(key.Name)})::bigint FROM {ownRows}", source);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (r.IsDBNull(0))
                return null;
            var ranges = IntegerRanges(r.GetInt64(0), r.GetInt64(1), count);
            return ranges.Count < 2 ? null : new RangePlan(RangeKind.Integer, key.Name, ranges);
        }
        if (key is not null && key.TypeOid == UuidType)
            return new RangePlan(RangeKind.Uuid, key.Name, UuidRanges(count));
        return new RangePlan(RangeKind.Block, null, BlockRanges(bytes / blockSize, count));
    }

    /// <summary>How many ranges a table of <paramref name="bytes"/> gets (at most 10,000).</summary>
    public static int Count(long bytes, long rangeBytes)
        => (int)Math.Clamp((bytes + Math.Max(1, rangeBytes) - 1) / Math.Max(1, rangeBytes), 1, 10_000);

    /// <summary>Up to <paramref name="count"/> ranges splitting [min, max] evenly; the first is open below, the last above.</summary>
    public static IReadOnlyList<CopyRange> IntegerRanges(long min, long max, int count)
    {
        var span = (Int128)max - min + 1;
        var n = (int)Int128.Min(Math.Max(1, count), span);
        var bounds = Enumerable.Range(1, n - 1).Select(i => (min + (span * i / n)).ToString(CultureInfo.InvariantCulture)).ToList();
        return Assemble(bounds);
    }

    /// <summary><paramref name="count"/> ranges splitting the uuid space evenly by its first 64 bits.</summary>
    public static IReadOnlyList<CopyRange> UuidRanges(int count)
    {
        var n = Math.Max(1, count);
        var bounds = Enumerable.Range(1, n - 1).Select(i =>
        {
            var high = (ulong)(((UInt128)ulong.MaxValue + 1) * (ulong)i / (ulong)n);
            var hex = high.ToString("x16", CultureInfo.InvariantCulture);
            return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-0000-000000000000";
        }).ToList();
        return Assemble(bounds);
    }

    /// <summary>Up to <paramref name="count"/> ranges of whole blocks over [0, blocks); the last is open above (the table may grow).</summary>
    public static IReadOnlyList<CopyRange> BlockRanges(long blocks, int count)
    {
        var n = (int)Math.Clamp(count, 1, Math.Max(1, blocks));
        var bounds = Enumerable.Range(1, n - 1).Select(i => (blocks * i / n).ToString(CultureInfo.InvariantCulture)).ToList();
        return Assemble(bounds);
    }

    static IReadOnlyList<CopyRange> Assemble(List<string> bounds)
    {
        var ranges = new List<CopyRange>(bounds.Count + 1);
        for (var i = 0; i <= bounds.Count; i++)
            ranges.Add(new CopyRange(i, i == 0 ? null : bounds[i - 1], i == bounds.Count ? null : bounds[i]));
        return ranges;
    }
}
