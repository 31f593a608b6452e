using Ibex.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class DriftTests(SharedClusters clusters)
{
    static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"timed out after {seconds}s waiting for: {what}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_column_added_on_the_source_stops_the_sync_until_the_target_has_it_then_nothing_is_lost()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, name text); CREATE TABLE other (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "drift", "--tables", "items", "--source", "src", "--target", "dst")).ShouldSucceed();
        (await s.Ibex("sync", "add", "steady", "--tables", "other", "--source", "src", "--target", "dst")).ShouldSucceed();
        s.StartDaemon();
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            var (cluster, db) = s.Node("src");
            await using var conn = new NpgsqlConnection(cluster.NpgsqlConnectionString(db));
            await conn.OpenAsync();
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                var sql = i == 50 ? "ALTER TABLE items ADD COLUMN price numeric(10,2) DEFAULT 0" : i > 50
                    ? $"INSERT INTO items (id, name, price) VALUES ({i}, 'n{i}', {i}.5)"
                    : $"INSERT INTO items (id, name) VALUES ({i}, 'n{i}')";
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
                written = i;
                await Task.Delay(10);
            }
        });
        await UntilAsync(async () => (await s.Ibex("status", "drift")).Output.Contains("ADD COLUMN", StringComparison.Ordinal), "status to show the fix");
        var status = (await s.Ibex("status", "drift")).Output;
        var fix = "ALTER TABLE \"public\".\"items\" ADD COLUMN \"price\" numeric(10,2) DEFAULT 0;";
        status.ShouldContain(fix);
        // The other sync keeps running meanwhile.
        await s.ExecAsync("src", "INSERT INTO other VALUES (1)");
        await s.WaitAsync("steady");
        (await s.RowsAsync("dst", "other")).ShouldBe(["(1)"]);
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM items")).ShouldBeLessThan(50);

        await s.ExecAsync("dst", fix);
        await stop.CancelAsync();
        await writer;
        await s.WaitAsync("drift", 120);
        await s.ShouldMatchAsync("items", "id", "src", "dst");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM items")).ShouldBe(written - 1, "every insert but the ALTER at 50");
    }

    [Fact]
    public async Task Auto_add_columns_needs_no_operator_and_target_only_columns_never_stop_replication()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAsync("src", "CREATE TABLE items (id int PRIMARY KEY, name text)");
        await s.ExecAsync("dst", "CREATE TABLE items (name text, local_note text DEFAULT 'mine', id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "auto", "--tables", "items", "--source", "src", "--target", "dst", "--auto-add-columns")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO items VALUES (1, 'a')");
        await s.WaitAsync("auto");
        await s.ExecAsync("src", "ALTER TABLE items ADD COLUMN qty int; INSERT INTO items VALUES (2, 'b', 7); UPDATE items SET qty = 3 WHERE id = 1;");
        await s.WaitAsync("auto");
        (await s.QueryRowsAsync("dst", "SELECT id, name, qty, local_note FROM items")).ShouldBe(["(1,a,3,mine)", "(2,b,7,mine)"]);
    }
}
