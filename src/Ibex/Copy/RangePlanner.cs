using Ibex.Catalog;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// Splits a large table's copy into ranges of about a given size, cheaply: the table's size on disk gives the number
/// of ranges; a single-column integer or uuid key is split at its quantiles in a sample of a few hundred blocks (as
/// even as the rows are, whatever the keys' gaps and outliers), anything else by ctid block ranges. Text keys are
/// split by blocks too: a change's row could only be mapped to a text range under the source column's collation,
/// which Ibex cannot evaluate itself.
/// </summary>
public static class RangePlanner
{
    /// <summary>Key types split by value (OIDs of smallint, integer, bigint).</summary>
    static readonly HashSet<uint> IntegerTypes = [21, 23, 20];

    const uint UuidType = 2950;

    /// <summary>
    /// The plan for one table, read inside the copy's snapshot on <paramref name="source"/>; null when the table is not
    /// larger than <paramref name="splitAboveBytes"/> (one stream) or is partitioned (its rows are its partitions').
    /// </summary>
    public static async Task<RangePlan?> PlanAsync(NpgsqlConnection source, TableInfo table, string ownRows, long splitAboveBytes, long rangeBytes, CancellationToken cancellationToken)
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
        var count = Count(bytes, splitAboveBytes, rangeBytes);
        if (count < 2)
            return null;
        // The key bounds a range only when every change carries it (as the primary key or in a full old row).
        var identified = table.ReplicaIdentity == 'f' || (table.HasPrimaryKey && table.ReplicaIdentity == 'd');
        var key = identified && table.KeyColumns.Count == 1 ? table.Columns.FirstOrDefault(c => c.Name == table.KeyColumns[0]) : null;
        var kind = key is null ? RangeKind.Block : IntegerTypes.Contains(key.TypeOid) ? RangeKind.Integer : key.TypeOid == UuidType ? RangeKind.Uuid : RangeKind.Block;
        if (kind == RangeKind.Block)
            return new RangePlan(RangeKind.Block, null, BlockRanges(bytes / blockSize, count));
        var ranges = FromQuantiles(await SampleQuantilesAsync(source, key!.Name, ownRows, bytes / blockSize, count, cancellationToken).ConfigureAwait(false));
        return ranges.Count < 2 ? null : new RangePlan(kind, key.Name, ranges);
    }

    /// <summary>How many ranges a table of <paramref name="bytes"/> gets (at most 10,000).</summary>
    public static int Count(long bytes, long rangeBytes) => Count(bytes, rangeBytes, rangeBytes);

    /// <summary>How many ranges of about <paramref name="rangeBytes"/> a table of <paramref name="bytes"/> gets: one when it is not larger than <paramref name="splitAboveBytes"/>, at most 10,000.</summary>
    public static int Count(long bytes, long splitAboveBytes, long rangeBytes)
        => bytes <= splitAboveBytes ? 1 : (int)Math.Clamp((bytes + Math.Max(1, rangeBytes) - 1) / Math.Max(1, rangeBytes), 1, 10_000);

    /// <summary>Ranges bounded by the given quantiles of the key (sorted; repeats and nulls dropped); the first is open below, the last above.</summary>
    public static IReadOnlyList<CopyRange> FromQuantiles(IEnumerable<string?> quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        var bounds = new List<string>();
        foreach (var q in quantiles)
            if (q is not null && (bounds.Count == 0 || bounds[^1] != q))
                bounds.Add(q);
        return Assemble(bounds);
    }

    /// <summary>Up to <paramref name="count"/> ranges of whole blocks over [0, blocks); the last is open above (the table may grow).</summary>
    public static IReadOnlyList<CopyRange> BlockRanges(long blocks, int count)
    {
        var n = (int)Math.Clamp(count, 1, Math.Max(1, blocks));
        var bounds = Enumerable.Range(1, n - 1).Select(i => (blocks * i / n).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return Assemble(bounds);
    }

    // The key's quantiles in a sample of whole blocks (TABLESAMPLE SYSTEM reads only those).
    static async Task<string?[]> SampleQuantilesAsync(NpgsqlConnection source, string key, string ownRows, long blocks, int count, CancellationToken cancellationToken)
    {
        var percent = Math.Clamp(100.0 * (300 + (30.0 * count)) / Math.Max(1, blocks), 0.0001, 100);
        var k = Sql.Ident.Quote(key);
        await using var cmd = new NpgsqlCommand(
            $"SELECT (percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY {k}))::text[] FROM (SELECT {k} FROM {ownRows} TABLESAMPLE SYSTEM ($2)) s", source);
        cmd.Parameters.Add(new() { Value = Enumerable.Range(1, count - 1).Select(i => (double)i / count).ToArray() });
        cmd.Parameters.Add(new() { Value = percent });
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string?[] ?? [];
    }

    static IReadOnlyList<CopyRange> Assemble(List<string> bounds)
    {
        var ranges = new List<CopyRange>(bounds.Count + 1);
        for (var i = 0; i <= bounds.Count; i++)
            ranges.Add(new CopyRange(i, i == 0 ? null : bounds[i - 1], i == bounds.Count ? null : bounds[i]));
        return ranges;
    }
}
