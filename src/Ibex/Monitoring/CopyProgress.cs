namespace Ibex.Monitoring;

/// <summary>
/// Initial copy progress of a link (or, summed, of a sync): tables done of total, rows and bytes copied of those
/// expected, the current rate and the time left, and each table's own progress.
/// </summary>
public sealed record CopyProgress(int TablesDone, int TablesTotal, long BytesCopied, long BytesEstimated, string? Error)
{
    public long RowsCopied { get; init; }

    /// <summary>Rows expected in all: each table's estimate (or, when done or past it, what it copied).</summary>
    public long? RowsExpected { get; init; }

    public double? Percent { get; init; }

    /// <summary>Rows per second of the tables being copied now, together.</summary>
    public double? RowsPerSecond { get; init; }

    public double? BytesPerSecond { get; init; }

    /// <summary>Seconds left for all the tables at the current rate, when it can be told.</summary>
    public double? EtaSeconds { get; init; }

    public IReadOnlyList<TableCopyProgress> Tables { get; init; } = [];

    public bool Done => TablesDone == TablesTotal;

    /// <summary>The totals of <paramref name="tables"/> (with their rates as of <paramref name="now"/>); null for none.</summary>
    public static CopyProgress? From(IReadOnlyList<TableCopyProgress> tables, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0)
            return null;
        var at = tables.Select(t => t.At(now)).ToList();
        var rowsCopied = at.Sum(t => t.RowsCopied);
        var unknown = at.Any(t => !t.Done && t.RowsExpected is null);
        long? rowsExpected = unknown ? null : at.Sum(t => t.Done ? t.RowsCopied : Math.Max(t.RowsCopied, t.RowsExpected!.Value));
        var bytesCopied = at.Sum(t => t.BytesCopied);
        var bytesExpected = at.Sum(t => t.Done ? t.BytesCopied : Math.Max(t.BytesCopied, t.BytesExpected ?? 0));
        var copying = at.Where(t => t.State == "copying").ToList();
        double? rows = copying.Count == 0 ? null : copying.Sum(t => t.RowsPerSecond ?? 0);
        double? bytes = copying.Count == 0 ? null : copying.Sum(t => t.BytesPerSecond ?? 0);
        var done = at.Count(t => t.Done);
        return new CopyProgress(done, at.Count, bytesCopied, bytesExpected, at.Select(t => t.Error).FirstOrDefault(e => e is not null))
        {
            RowsCopied = rowsCopied,
            RowsExpected = rowsExpected,
            Percent = CopyEstimate.Percent(done == at.Count, rowsCopied, rowsExpected, bytesCopied, bytesExpected),
            RowsPerSecond = rows is null ? null : Math.Round(rows.Value, 1),
            BytesPerSecond = bytes is null ? null : Math.Round(bytes.Value, 1),
            EtaSeconds = done == at.Count ? null : CopyEstimate.Remaining(rowsCopied, rowsExpected, rows)?.TotalSeconds,
            Tables = at,
        };
    }
}
