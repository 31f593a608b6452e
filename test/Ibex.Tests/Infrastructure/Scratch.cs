using Npgsql;

namespace Ibex.Tests.Infrastructure;

/// <summary>Small helpers for tests that talk to a database directly.</summary>
public static class Scratch
{
    public static async Task<NpgsqlConnection> OpenAsync(string npgsqlConnectionString)
    {
        var conn = new NpgsqlConnection(npgsqlConnectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        return conn;
    }

    public static async Task ExecAsync(this NpgsqlConnection conn, string sql, params object?[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The first column of every row of a query, as text.</summary>
    public static async Task<List<string>> LinesAsync(this NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var lines = new List<string>();
        while (await r.ReadAsync(TestContext.Current.CancellationToken))
            lines.Add(r.IsDBNull(0) ? "" : r.GetValue(0).ToString()!);
        return lines;
    }

    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection conn, string sql, params object?[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        var result = await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return result is DBNull or null ? default! : (T)result;
    }
}
