using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Shapes;

public class FilterAndRenameTests(SharedClusters clusters)
{
    [Fact]
    public async Task Row_filter_keeps_exactly_the_matching_rows_as_rows_move_in_and_out()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAllAsync("CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, amount int)");
        await s.ExecAsync("src", "INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(1, 20) g");
        await s.AddNodesAsync();
        var add = (await s.Ibex("sync", "add", "eu", "--tables", "orders", "--source", "src", "--target", "dst", "--where", "public.orders=region = 'eu'")).ShouldSucceed();
        add.Error.ShouldContain("replica identity becomes FULL");
        s.StartDaemon();
        await s.WaitAsync("eu");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM orders")).ShouldBe(10);

        await s.ExecAsync("src", """
            INSERT INTO orders VALUES (100, 'eu', 1), (101, 'us', 1);
            UPDATE orders SET region = 'eu' WHERE id = 1;      -- moves into the filter: inserted on the target
            UPDATE orders SET region = 'us' WHERE id = 2;      -- moves out: deleted on the target
            UPDATE orders SET amount = amount + 1000 WHERE id IN (4, 5);
            DELETE FROM orders WHERE id IN (6, 7);
            """);
        await s.WaitAsync("eu");
        (await s.RowsAsync("dst", "orders")).ShouldBe(await s.QueryRowsAsync("src", "SELECT * FROM orders WHERE region = 'eu'"));
        (await s.ScalarAsync<bool>("dst", "SELECT EXISTS (SELECT 1 FROM orders WHERE id = 1) AND NOT EXISTS (SELECT 1 FROM orders WHERE id = 2)")).ShouldBeTrue();
    }

    [Fact]
    public async Task Column_list_replicates_only_the_listed_columns()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAsync("src", "CREATE TABLE users (id int PRIMARY KEY, name text, email text, password_hash text)");
        await s.ExecAsync("dst", "CREATE TABLE users (id int PRIMARY KEY, name text, email text, password_hash text DEFAULT 'not replicated')");
        await s.ExecAsync("src", "INSERT INTO users VALUES (1, 'ann', 'a@x', 'secret1')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "cols", "--tables", "users", "--source", "src", "--target", "dst", "--columns", "public.users=id,name,email")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO users VALUES (2, 'bob', 'b@x', 'secret2'); UPDATE users SET email = 'ann@x', password_hash = 'changed' WHERE id = 1;");
        await s.WaitAsync("cols");
        (await s.RowsAsync("dst", "users", "id")).ShouldBe(["(1,ann,ann@x,\"not replicated\")", "(2,bob,b@x,\"not replicated\")"]);
    }

    [Fact]
    public async Task Mapped_table_receives_the_rows_under_its_new_name()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        await s.ExecAsync("src", "CREATE TABLE orders (id int PRIMARY KEY, note text)");
        await s.ExecAsync("dst", "CREATE SCHEMA archive; CREATE TABLE archive.orders_2026 (note text, id int PRIMARY KEY)");
        await s.ExecAsync("src", "INSERT INTO orders VALUES (1, 'copied')");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", "ren", "--tables", "orders", "--source", "src", "--target", "dst", "--map", "public.orders=archive.orders_2026")).ShouldSucceed()
            .Output.ShouldContain("public.orders -> archive.orders_2026");
        s.StartDaemon();
        await s.ExecAsync("src", "INSERT INTO orders VALUES (2, 'streamed'); UPDATE orders SET note = 'updated' WHERE id = 1;");
        await s.WaitAsync("ren");
        (await s.RowsAsync("dst", "archive.orders_2026", "id")).ShouldBe(["(updated,1)", "(streamed,2)"]);
    }
}
