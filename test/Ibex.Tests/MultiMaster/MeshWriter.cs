using System.Collections.Concurrent;
using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// An application writing on one node of a mesh: inserts, updates and deletes of keys it owns (its own range, so the
/// value it last committed for a key must win everywhere), into <c>t (id bigint PRIMARY KEY, v text)</c>. Records what it
/// committed: key → last value, null once deleted.
/// </summary>
public sealed class MeshWriter
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _run;
    long _writes;

    MeshWriter(Scenario s, string node, int index, ConcurrentDictionary<long, string?> committed)
    {
        Node = node;
        _run = Task.Run(async () =>
        {
            var (cluster, db) = s.Node(node);
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            var random = new Random(31 + index);
            var mine = new List<long>();
            var next = 10_000_000L * (index + 1);
            while (!_stop.IsCancellationRequested)
            {
                var roll = random.Next(8);
                long key;
                string? value;
                string sql;
                if (mine.Count > 5 && roll == 0)
                {
                    key = mine[random.Next(mine.Count)];
                    mine.Remove(key);
                    value = null;
                    sql = "DELETE FROM t WHERE id = $1";
                }
                else if (mine.Count > 5 && roll < 3)
                {
                    key = mine[random.Next(mine.Count)];
                    value = $"upd {node} {_writes}";
                    sql = "UPDATE t SET v = $2 WHERE id = $1";
                }
                else
                {
                    key = ++next;
                    mine.Add(key);
                    value = $"ins {node} {_writes}";
                    sql = "INSERT INTO t VALUES ($1, $2)";
                }
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.Add(new() { Value = key });
                if (value is not null)
                    cmd.Parameters.Add(new() { Value = value });
                await cmd.ExecuteNonQueryAsync();
                committed[key] = value;
                Interlocked.Increment(ref _writes);
                await Task.Delay(random.Next(1, 6));
            }
        });
    }

    public string Node { get; }

    public long Writes => Interlocked.Read(ref _writes);

    public static MeshWriter Start(Scenario s, string node, int index, ConcurrentDictionary<long, string?> committed) => new(s, node, index, committed);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run;
    }

    /// <summary>Waits until this writer has committed <paramref name="more"/> writes from now.</summary>
    public Task AdvanceAsync(long more)
    {
        var goal = Writes + more;
        return Ibex.Tests.Operations.Poll.UntilAsync(() => Task.FromResult(Writes), w => w >= goal, 60, w => $"writer on {Node} stalled at {w}");
    }

    /// <summary>Every key the writers committed holds its last value on <paramref name="node"/> (or is gone, if deleted).</summary>
    public static async Task ShouldHoldAsync(Scenario s, string node, ConcurrentDictionary<long, string?> committed, string log)
    {
        var text = await s.ScalarAsync<string>(node, "SELECT coalesce(string_agg(id::text || '=' || v, E'\\n'), '') FROM t WHERE id > 10000000");
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('=', 2)).ToDictionary(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), r => r[1]);
        var wrong = committed.Where(kv => rows.GetValueOrDefault(kv.Key) != kv.Value)
            .Take(5).Select(kv => $"{kv.Key}={kv.Value ?? "(deleted)"}").ToList();
        wrong.ShouldBeEmpty($"node {node} lost, kept or changed rows the writers committed ({committed.Count} keys written)\n{log}");
    }
}
