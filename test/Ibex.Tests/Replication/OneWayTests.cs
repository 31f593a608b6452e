using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Replication;

public class OneWayTests(SharedClusters clusters)
{
    [Fact]
    public async Task Inserts_updates_deletes_and_truncate_reach_two_targets()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "t1", "t2");
        await s.ExecAllAsync("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, qty int, note text)");
        await s.ExecAllAsync("CREATE TABLE lines (order_id bigint, line int, sku text, PRIMARY KEY (order_id, line))");
        await s.ExecAsync("src", "INSERT INTO orders SELECT g, 'c' || g, g % 7, NULL FROM generate_series(1, 500) g");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "s1", "--tables", "public.orders,public.lines", "--source", "src", "--target", "t1", "--target", "t2")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync("s1");
        await s.ShouldMatchAsync("orders", "id", "src", "t1", "t2");

        // A run of inserts long enough to go through COPY, with every character COPY's text format escapes.
        await s.ExecAsync("src", @"INSERT INTO orders SELECT g, 'n' || g || E'\t\\\n\r ü🐐', 1, CASE WHEN g % 2 = 0 THEN 'x' END FROM generate_series(501, 600) g");
        await s.ExecAsync("src", "UPDATE orders SET qty = qty + 10, note = 'updated' WHERE id % 3 = 0");
        await s.ExecAsync("src", "UPDATE orders SET id = id + 10000 WHERE id BETWEEN 10 AND 20");
        await s.ExecAsync("src", "DELETE FROM orders WHERE id % 5 = 0");
        await s.ExecAsync("src", "INSERT INTO lines SELECT g / 3, g % 3, 'sku' FROM generate_series(1, 300) g");
        await s.ExecAsync("src", "BEGIN; UPDATE lines SET line = line + 100 WHERE order_id = 5; DELETE FROM lines WHERE order_id = 6; COMMIT");
        await s.WaitAsync("s1");
        await s.ShouldMatchAsync("orders", "id", "src", "t1", "t2");
        await s.ShouldMatchAsync("lines", "order_id, line", "src", "t1", "t2");

        await s.ExecAsync("src", "TRUNCATE lines");
        await s.ExecAsync("src", "INSERT INTO lines VALUES (1, 1, 'after truncate')");
        await s.WaitAsync("s1");
        (await s.RowsAsync("t1", "lines")).ShouldBe(["(1,1,\"after truncate\")"]);
        await s.ShouldMatchAsync("lines", "order_id, line", "src", "t1", "t2");
    }
}
