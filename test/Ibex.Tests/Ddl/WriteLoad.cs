using Ibex.Tests.Infrastructure;
using Npgsql;

namespace Ibex.Tests.Ddl;

/// <summary>
/// A write load on one node while DDL runs: inserts into a table (and updates its rows) in transactions of their own
/// until stopped; any failure of the load fails the test when it is stopped.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _task;

    WriteLoad(Task task) => _task = task;

    public long Writes { get; private set; }

    /// <summary>Starts writing into <paramref name="table"/> (columns id bigserial and note text) on <paramref name="node"/>.</summary>
    public static WriteLoad Start(Scenario s, string node, string table)
    {
        WriteLoad? load = null;
        var task = Task.Run(async () =>
        {
            await using var conn = await s.OpenAsync(node);
            while (!load!._stop.IsCancellationRequested)
            {
                await conn.ExecAsync($"INSERT INTO {table} (note) VALUES ('load')");
                await conn.ExecAsync($"UPDATE {table} SET note = note || '.' WHERE id = (SELECT max(id) FROM {table}) - 1");
                load.Writes++;
                await Task.Yield();
            }
        });
        load = new WriteLoad(task);
        return load;
    }

    /// <summary>Stops the load; throws what made it fail, if anything did.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _task;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            // The test already failed or stopped the load itself.
        }
        _stop.Dispose();
    }
}
