using Ibex.Changes;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// Streams one table's rows from a source session into COPY on one or more target sessions: <c>COPY (SELECT …) TO
/// STDOUT</c> piped straight into <c>COPY … FROM STDIN</c>, in binary when every column's binary form is portable
/// (holds no type OIDs), else in text. Nothing is parsed on the way.
/// </summary>
public static class TableStreamer
{
    /// <summary>Copies and returns the bytes moved; each chunk is also counted on <paramref name="meter"/> (bytes and rows).</summary>
    /// <remarks>
    /// With <paramref name="withCommitTimestamp"/>, each row also carries its commit time on the source (for the
    /// multi-master merge), into the targets' <see cref="StagedMerge.CommitTimestampColumn"/>.
    /// </remarks>
    public static async Task<long> CopyAsync(NpgsqlConnection source, QualifiedName table, IReadOnlyList<string> columns, string? where, bool binary,
        IReadOnlyList<(NpgsqlConnection Conn, QualifiedName Table)> targets, CopyMeter? meter, CancellationToken cancellationToken, bool withCommitTimestamp = false)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var format = binary ? " (FORMAT binary)" : "";
        var extraOut = withCommitTimestamp ? ", pg_xact_commit_timestamp(xmin)" : "";
        var extraIn = withCommitTimestamp ? ", " + Ident.Quote(StagedMerge.CommitTimestampColumn) : "";
        var select = $"COPY (SELECT {Ident.QuoteList(columns)}{extraOut} FROM {await OwnRowsAsync(source, table, cancellationToken).ConfigureAwait(false)}{(where is null ? "" : $" WHERE ({where})")}) TO STDOUT{format}";
        var inserts = targets.Select(t => (t.Conn, Sql: $"COPY {t.Table.Quoted} ({Ident.QuoteList(columns)}{extraIn}) FROM STDIN{format}")).ToList();
        return await PipeAsync(source, select, inserts, binary, meter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The table as a FROM (or TRUNCATE) item naming its own rows: with ONLY, so an inheritance child's rows count as the
    /// child's, never its parent's; without for a partitioned table, whose rows are its partitions'.
    /// </summary>
    public static async Task<string> OwnRowsAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        await using var cmd = new NpgsqlCommand("SELECT relkind = 'p' FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)", conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        var partitioned = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        return partitioned ? table.Quoted : "ONLY " + table.Quoted;
    }

    // Room left in the buffer below which the rows gathered so far are passed on.
    const int Gather = 8 << 10;

    // Both formats move raw bytes: a text COPY's rows are UTF-8 on both sessions, so nothing is decoded on the way.
    // The raw streams are ended with their asynchronous dispose: Npgsql's text reader and writer end a COPY with
    // synchronous I/O, which must never run on the socket engine's thread (see Changes/InlineSocketCompletions).
    static async Task<long> PipeAsync(NpgsqlConnection src, string select, List<(NpgsqlConnection Conn, string Sql)> targets, bool binary,
        CopyMeter? meter, CancellationToken cancellationToken)
    {
        var writers = new List<Stream>();
        try
        {
            foreach (var (conn, sql) in targets)
                writers.Add(binary ? await conn.BeginRawBinaryCopyAsync(sql, cancellationToken).ConfigureAwait(false)
                    : (await conn.BeginTextImportAsync(sql, cancellationToken).ConfigureAwait(false)).BaseStream);
            await using var reader = binary ? await src.BeginRawBinaryCopyAsync(select, cancellationToken).ConfigureAwait(false)
                : ((StreamReader)await src.BeginTextExportAsync(select, cancellationToken).ConfigureAwait(false)).BaseStream;
            var buffer = new byte[1 << 17];
            long total = 0;
            var yielding = new CooperativeYield(64);
            var ended = false;
            while (!ended)
            {
                // A read returns at most one COPY message, and the source sends one per row: gather rows up to most of
                // the buffer, so each target gets one write (and the meter one count) per ~128 kB, not one per row.
                var filled = 0;
                while (filled < buffer.Length - Gather)
                {
                    if (yielding.Due())
                        await Task.Yield();
                    var n = await reader.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        ended = true;
                        break;
                    }
                    filled += n;
                }
                if (filled == 0)
                    break;
                foreach (var w in writers)
                    await w.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                total += filled;
                meter?.Add(buffer.AsSpan(0, filled));
            }
            return total;
        }
        finally
        {
            // Disposing ends each COPY; a failure before the target's COMMIT leaves nothing behind.
            foreach (var w in writers)
                await w.DisposeAsync().ConfigureAwait(false);
        }
    }
}
