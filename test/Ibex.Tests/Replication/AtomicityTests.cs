using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

public class AtomicityTests(SharedClusters clusters)
{
    // Each source transaction must become exactly one target transaction, also when it arrives behind a backlog and
    // its inserts go through COPY: every row it wrote carries the same target transaction id, and transactions keep
    // their commit order.
    [Fact]
    public async Task Source_transactions_stay_whole_and_in_order_when_applied_from_a_backlog_with_copy()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, txn int); CREATE TABLE marks (txn int PRIMARY KEY, note text);");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "atomic", "--tables", "items,marks", "--source", "src", "--target", "dst", "--copy", "never")).ShouldSucceed();
        // Written while no daemon runs: the daemon meets them as one backlog.
        for (var t = 1; t <= 20; t++)
        {
            var rows = t % 2 == 0 ? 500 : 3; // even transactions are long enough for COPY
            await s.ExecAsync("src", $"BEGIN; INSERT INTO marks VALUES ({t}, 'first'); INSERT INTO items SELECT {t} * 1000 + g, {t} FROM generate_series(1, {rows}) g; UPDATE marks SET note = 'last' WHERE txn = {t}; COMMIT;");
        }
        s.StartDaemon();
        await s.WaitAsync("atomic");
        await s.ShouldMatchAsync("items", "id", "src", "dst");
        // One target transaction per source transaction: the rows of transaction t share one xmin, no other has it.
        var perTxn = await s.ScalarAsync<string>("dst",
            "SELECT string_agg(txn::text || ':' || n::text, ',' ORDER BY txn) FROM (SELECT txn, count(DISTINCT x) AS n FROM (SELECT txn, xmin::text AS x FROM items UNION ALL SELECT txn, xmin::text FROM marks) u GROUP BY txn) c");
        perTxn.ShouldBe(string.Join(",", Enumerable.Range(1, 20).Select(t => $"{t}:1")));
        var distinct = await s.ScalarAsync<long>("dst", "SELECT count(DISTINCT xmin::text) FROM marks");
        distinct.ShouldBe(20);
        // Commit order kept: target transaction ids grow with the source transaction number.
        var order = await s.ScalarAsync<string>("dst", "SELECT string_agg(txn::text, ',' ORDER BY xmin::text::bigint) FROM marks");
        order.ShouldBe(string.Join(",", Enumerable.Range(1, 20)));
    }

    // Two writers of small insert-and-update transactions (the benchmark's OLTP shape) and one of long ones, whose
    // changes reach the applier in groups before their commit: everything arrives, nothing twice.
    [Fact]
    public async Task Concurrent_small_and_long_transactions_with_updates_all_arrive()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE acc (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); CREATE TABLE ev (id bigserial PRIMARY KEY, acc int, note text);");
        await s.ExecAsync("src", "INSERT INTO acc SELECT g FROM generate_series(1, 500) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "oltp", "--tables", "acc,ev", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("oltp");
        var (cluster, db) = s.Node("src");
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            await using var conn = new Npgsql.NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            for (var i = 0; i < 600; i++)
            {
                var sql = w < 2
                    ? $"BEGIN; INSERT INTO ev (acc, note) VALUES ({(i * 7 + w) % 500 + 1}, 'small'); UPDATE acc SET n = n + 1 WHERE id = {(i * 7 + w) % 500 + 1}; COMMIT;"
                    : i % 20 == 0
                        ? $"BEGIN; UPDATE acc SET n = n + 1 WHERE id <= 100; INSERT INTO ev (acc, note) SELECT g, 'long' FROM generate_series(1, 150) g; UPDATE acc SET n = n - 1 WHERE id > 400; COMMIT;"
                        : $"UPDATE acc SET n = n + 2 WHERE id = {i % 500 + 1}";
                await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        })).ToList();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        await s.WaitAsync("oltp", 120);
        await s.ShouldMatchAsync("acc", "id", "src", "dst");
        await s.ShouldMatchAsync("ev", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM ev")).ShouldBe(2 * 600 + 30 * 150);
        // And without a single failure on the way (a failed applier is retried, which would hide a bug).
        (await s.Ibex("status", "oltp", "--json")).Output.ShouldContain("\"recent_errors\": []");
    }
}
