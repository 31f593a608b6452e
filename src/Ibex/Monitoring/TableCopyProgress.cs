namespace Ibex.Monitoring;

/// <summary>
/// Initial copy of one table to one target: rows and bytes copied so far (counted in the COPY data as it streams), the
/// rows expected (the source's <c>pg_class.reltuples</c>, null when never analyzed) and the source table's size on disk
/// (<c>pg_table_size</c>, a rough guide to the bytes: the copy's bytes are usually fewer).
/// </summary>
public sealed record TableCopyProgress(string Target, string Schema, string Table, string State, long RowsCopied, long? RowsExpected, long BytesCopied, long? BytesExpected,
    DateTime? StartedAt, DateTime? FinishedAt, string? Error)
{
    public bool Done => State is "done" or "skipped";

    /// <summary>Percent done: from rows when their number is known, else from bytes.</summary>
    public double? Percent => CopyEstimate.Percent(Done, RowsCopied, RowsExpected, BytesCopied, BytesExpected);

    /// <summary>Rows per second since the table's copy started (until it finished).</summary>
    public double? RowsPerSecond { get; init; }

    /// <summary>Bytes per second since the table's copy started (until it finished).</summary>
    public double? BytesPerSecond { get; init; }

    /// <summary>Seconds left at the table's rate, when it can be told.</summary>
    public double? EtaSeconds { get; init; }

    /// <summary>The rates and time left as of <paramref name="now"/>.</summary>
    public TableCopyProgress At(DateTime now)
    {
        if (StartedAt is not { } started || State is "pending" or "skipped")
            return this;
        var elapsed = (FinishedAt ?? now) - started;
        var rows = CopyEstimate.Rate(RowsCopied, elapsed);
        return this with
        {
            RowsPerSecond = Round(rows),
            BytesPerSecond = Round(CopyEstimate.Rate(BytesCopied, elapsed)),
            EtaSeconds = Done ? null : CopyEstimate.Remaining(RowsCopied, RowsExpected, rows)?.TotalSeconds,
        };
    }

    static double? Round(double? x) => x is null ? null : Math.Round(x.Value, 1);
}
