using System.Text.RegularExpressions;
using Ibex.Tests.Docs;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Operations;

/// <summary>
/// The least-privilege setup of docs/operations.md, run as written (the SQL blocks are read from the doc): a one-way
/// sync with an initial copy and streaming whose nodes are reached as a role that is no superuser.
/// </summary>
public partial class LeastPrivilegeTests(SharedClusters clusters)
{
    [GeneratedRegex(@"<!-- test: (?<name>[a-z-]+) -->\s*```sql\n(?<sql>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();

    static Dictionary<string, string> DocBlocks()
    {
        var path = Path.Combine(DocFiles.RepoRoot(), "docs", "operations.md");
        return MarkedBlock().Matches(File.ReadAllText(path)).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["sql"].Value);
    }

    /// <summary>The doc's names made unique for this test: role ibex, database shop, owner shop_owner, the password.</summary>
    static string Adapt(string sql, string role, string database, string owner, string password)
    {
        sql = Regex.Replace(sql, @"\bshop_owner\b", owner);
        sql = Regex.Replace(sql, @"\bshop\b", database);
        sql = Regex.Replace(sql, @"\bibex\b", role);
        return sql.Replace("'change-me'", $"'{password}'", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_node_multi_master_runs_as_the_documented_role_with_both_blocks_on_each_node()
    {
        var blocks = DocBlocks();
        var role = Names.Unique("lpm");
        var owner = role + "_owner";
        const string password = "Lpm-secret-7";
        var roleClusters = new List<Ibex.Local.LocalCluster>();
        try
        {
            await using var s = await Scenario.CreateAsync(clusters, "a", "b");
            // Slot names are cluster-wide (ibex_<sync>_<node>): a sync name of its own keeps parallel tests apart.
            var mm = "mm" + s.Id.Replace("_", "", StringComparison.Ordinal);
            foreach (var c in s.Nodes.Select(n => n.Cluster).Distinct())
            {
                await c.ExecuteAsync("postgres", $"CREATE ROLE {owner} NOLOGIN");
                await c.ExecuteAsync("postgres", Adapt(blocks["least-privilege-every-node"], role, "postgres", owner, password));
                await c.ExecuteAsync("postgres", $"GRANT ibex_password_auth TO {role}");
                roleClusters.Add(c);
            }
            await s.ExecAllAsync("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)");
            await s.ExecAllAsync($"ALTER TABLE items OWNER TO {owner}");
            await s.ExecAsync("a", "INSERT INTO items SELECT g, 'i' || g, 0 FROM generate_series(1, 100) g");
            foreach (var (node, c, db) in s.Nodes)
            {
                await c.ExecuteAsync(db, Adapt(blocks["least-privilege-source"], role, db, owner, password));
                await c.ExecuteAsync(db, Adapt(blocks["least-privilege-target"], role, db, owner, password));
                (await s.Ibex("node", "add", node, "--dsn", $"postgresql://{role}:{password}@127.0.0.1:{c.Port}/{db}")).ShouldSucceed();
            }
            (await s.Ibex("sync", "add", mm, "--tables", "public.items", "--source", "a", "--source", "b")).ShouldSucceed();
            s.StartDaemon();
            await s.WaitAsync(mm);
            await s.ExecAsync("a", "UPDATE items SET qty = 1 WHERE id <= 50");
            await s.ExecAsync("b", "INSERT INTO items VALUES (1001, 'from b', 2)");
            await s.ExecAsync("b", "DELETE FROM items WHERE id = 99");
            await s.WaitAsync(mm);
            await s.ShouldMatchAsync("items", "id", "a", "b");
            (await s.RowsAsync("a", "items", "id")).Count.ShouldBe(100);
            await s.StopDaemonAsync();
            (await s.Ibex("sync", "remove", mm)).ShouldSucceed();
        }
        finally
        {
            await DropRolesAsync(roleClusters, role, owner);
        }
    }

    [Fact]
    public async Task One_way_sync_with_copy_and_streaming_runs_as_the_documented_role()
    {
        var blocks = DocBlocks();
        blocks.Keys.ShouldBe(["least-privilege-every-node", "least-privilege-source", "least-privilege-target"], ignoreOrder: true);
        var role = Names.Unique("lp");
        var owner = role + "_owner";
        const string password = "Lp-secret-9";
        var roleClusters = new List<Ibex.Local.LocalCluster>();
        try
        {
            await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
            var (srcCluster, srcDb) = s.Node("src");
            var (dstCluster, dstDb) = s.Node("dst");
            foreach (var c in new[] { srcCluster, dstCluster }.Distinct())
            {
                // The application's owner role, and the tables it owns, exist before Ibex arrives.
                await c.ExecuteAsync("postgres", $"CREATE ROLE {owner} NOLOGIN");
                await c.ExecuteAsync("postgres", Adapt(blocks["least-privilege-every-node"], role, "postgres", owner, password));
                // Test clusters trust local connections; this membership makes them check the password instead.
                await c.ExecuteAsync("postgres", $"GRANT ibex_password_auth TO {role}");
                roleClusters.Add(c);
            }
            const string schema = """
                CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(12,2), created timestamptz DEFAULT now());
                CREATE TABLE order_lines (order_id bigint, line int, sku text, qty int, PRIMARY KEY (order_id, line));
                CREATE TABLE audit (code text NOT NULL, note text);
                CREATE UNIQUE INDEX audit_code ON audit (code);
                """;
            await s.ExecAllAsync(schema);
            await s.ExecAllAsync($"ALTER TABLE orders OWNER TO {owner}; ALTER TABLE order_lines OWNER TO {owner}; ALTER TABLE audit OWNER TO {owner}");
            await s.ExecAsync("src", "INSERT INTO orders SELECT g, 'c' || g, g * 1.5 FROM generate_series(1, 2000) g");
            await s.ExecAsync("src", "INSERT INTO order_lines SELECT g / 4, g % 4, 'sku' || g, g % 9 FROM generate_series(4, 4000) g");
            await s.ExecAsync("src", "INSERT INTO audit SELECT 'a' || g, 'n' FROM generate_series(1, 50) g");
            await srcCluster.ExecuteAsync(srcDb, Adapt(blocks["least-privilege-source"], role, srcDb, owner, password));
            await dstCluster.ExecuteAsync(dstDb, Adapt(blocks["least-privilege-target"], role, dstDb, owner, password));

            string Dsn(Ibex.Local.LocalCluster c, string db) => $"postgresql://{role}:{password}@127.0.0.1:{c.Port}/{db}";
            foreach (var (node, c, db) in new[] { ("src", srcCluster, srcDb), ("dst", dstCluster, dstDb) })
            {
                (await s.Ibex("node", "add", node, "--dsn", Dsn(c, db))).ShouldSucceed();
                await using var conn = await Scratch.OpenAsync($"Host=127.0.0.1;Port={c.Port};Database={db};Username={role};Password={password};Pooling=false");
                (await conn.ScalarAsync<bool>("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).ShouldBeFalse();
            }

            (await s.Ibex("sync", "add", "lp", "--tables", "public.*", "--source", "src", "--target", "dst")).ShouldSucceed();
            s.StartDaemon();
            await s.WaitAsync("lp");
            await s.ShouldMatchAsync("orders", "id", "src", "dst");
            await s.ShouldMatchAsync("order_lines", "order_id, line", "src", "dst");
            await s.ShouldMatchAsync("audit", "code", "src", "dst");

            await s.ExecAsync("src", "INSERT INTO orders SELECT g, 'n' || g, 1 FROM generate_series(2001, 2300) g");
            await s.ExecAsync("src", "UPDATE orders SET total = total + 1 WHERE id % 7 = 0");
            await s.ExecAsync("src", "DELETE FROM order_lines WHERE order_id % 5 = 0");
            await s.ExecAsync("src", "UPDATE audit SET note = 'changed' WHERE code = 'a7'");
            await s.ExecAsync("src", "BEGIN; DELETE FROM audit WHERE code = 'a8'; INSERT INTO audit VALUES ('z1', NULL); COMMIT");
            await s.WaitAsync("lp");
            await s.ShouldMatchAsync("orders", "id", "src", "dst");
            await s.ShouldMatchAsync("order_lines", "order_id, line", "src", "dst");
            await s.ShouldMatchAsync("audit", "code", "src", "dst");
            (await s.Ibex("status", "lp")).ShouldSucceed().Output.ShouldNotContain(password);

            // Removing the sync drops slot, publication and origin with the same role.
            await s.StopDaemonAsync();
            (await s.Ibex("sync", "remove", "lp")).ShouldSucceed();
            (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'ibex\\_lp\\_%'")).ShouldBe(0);
            (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'ibex\\_lp\\_%'")).ShouldBe(0);
        }
        finally
        {
            await DropRolesAsync(roleClusters, role, owner);
        }
    }

    static async Task DropRolesAsync(IEnumerable<Ibex.Local.LocalCluster> clusters, string role, string owner)
    {
        foreach (var c in clusters)
        {
            try
            {
                // DROP OWNED also revokes grants on shared objects (SET on the parameter).
                await c.ExecuteAsync("postgres", $"DROP OWNED BY {role}, {owner}; DROP ROLE IF EXISTS {role}; DROP ROLE IF EXISTS {owner}");
            }
            catch (Exception e) when (e is IbexException or Npgsql.NpgsqlException)
            {
                // Best effort: the shared clusters are thrown away at the end of the run.
            }
        }
    }
}
