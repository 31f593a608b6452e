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
}
