using Ibex.Copy;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>Rows counted in real COPY data from the server, in binary and text, whatever the chunk sizes.</summary>
public class CopyRowCounterTests(SharedClusters clusters)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Counts_every_row_of_a_copy_stream_fed_in_chunks_of_any_size(bool binary)
    {
        await using var s = await Scenario.CreateAsync(clusters, "a");
        await using var conn = await s.OpenAsync("a");
        var format = binary ? " (FORMAT binary)" : "";
        // NULLs, empty strings, newlines and backslashes in values, a wide value, and rows of no column at all.
        var streams = new (string Sql, long Rows)[]
        {
            ($"COPY (SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE E'line\\nbreak\\\\' || repeat('x', g % 50) END, '' FROM generate_series(1, 5000) g) TO STDOUT{format}", 5000),
            ($"COPY (SELECT repeat('w', 300000)) TO STDOUT{format}", 1),
            ($"COPY (SELECT FROM generate_series(1, 7)) TO STDOUT{format}", 7),
            ($"COPY (SELECT 1 WHERE false) TO STDOUT{format}", 0),
        };
        foreach (var (sql, rows) in streams)
        {
            var data = await ReadAsync(conn, sql, binary);
            foreach (var chunk in new[] { 1, 2, 3, 7, 4096, data.Length + 1 })
            {
                var counter = new CopyRowCounter(binary);
                for (var i = 0; i < data.Length; i += chunk)
                    counter.Add(data.AsSpan(i, Math.Min(chunk, data.Length - i)));
                counter.Rows.ShouldBe(rows, $"{sql} in chunks of {chunk}");
            }
        }
    }

    static async Task<byte[]> ReadAsync(NpgsqlConnection conn, string sql, bool binary)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stream = binary ? await conn.BeginRawBinaryCopyAsync(sql, ct) : ((StreamReader)await conn.BeginTextExportAsync(sql, ct)).BaseStream;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
