using Ibex.Tests.Infrastructure;
using Npgsql;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Rows of table <c>kv</c> (key <c>k</c>) that a test holds FOR UPDATE, one open transaction per node: an applier
/// into that node whose transaction locks the row waits there (appliers lock rows in key order, so a transaction
/// whose lowest key is held waits before it touches any other), and that link's changes stop until the test
/// releases the node. Disposing releases every node still held.
/// </summary>
public sealed class HeldRows(Scenario scenario) : IAsyncDisposable
{
    readonly Dictionary<string, (NpgsqlConnection Conn, NpgsqlTransaction Tx)> _held = [];

    public async Task HoldAsync(string node, int k)
    {
        var ct = TestContext.Current.CancellationToken;
        var conn = await scenario.OpenAsync(node);
        var tx = await conn.BeginTransactionAsync(ct);
        await using (var hold = new NpgsqlCommand("SELECT v FROM kv WHERE k = $1 FOR UPDATE", conn, tx))
        {
            hold.Parameters.Add(new() { Value = k });
            await hold.ExecuteScalarAsync(ct);
        }
        _held[node] = (conn, tx);
    }

    public async Task ReleaseAsync(string node)
    {
        if (!_held.Remove(node, out var h))
            return;
        await h.Tx.RollbackAsync(TestContext.Current.CancellationToken);
        await h.Conn.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _held.Keys.ToList())
            await ReleaseAsync(node);
    }
}
