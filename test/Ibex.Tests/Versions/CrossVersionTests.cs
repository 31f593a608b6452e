using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Versions;

/// <summary>
/// Nodes of different PostgreSQL major versions in one sync (15 from Debian, 16-18 from scripts/ensure-postgres-versions.sh):
/// the initial copy, the stream and compare work in both directions, with a spread of types.
/// </summary>
public class CrossVersionTests(SharedClusters clusters)
{
    const string Table = """
        CREATE TABLE mixed (
            id bigint PRIMARY KEY, n numeric(20,6), t text, ts timestamptz, d date, j jsonb, b bytea, u uuid,
            a int[], r int4range, f float8, iv interval, bo boolean
        )
        """;

    const string Rows = """
        INSERT INTO mixed
        SELECT g, g * 1.5, 'row ' || g || ' ünïcode', '2026-01-01 00:00:00+00'::timestamptz + g * interval '1 minute', '2026-01-01'::date + g,
               jsonb_build_object('g', g, 'nested', jsonb_build_array(g, 'x')), decode(lpad(to_hex(g), 8, '0'), 'hex'),
               ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, ARRAY[g, g + 1], int4range(g, g + 10), g / 7.0, g * interval '1 second', g % 2 = 0
        FROM generate_series($1::int, $2::int) g
        """;

    [Fact]
    public async Task One_way_from_15_to_18_and_from_18_to_15()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg18 = await LocalCluster.StartAsync("v18", 18, cancellationToken: ct);
        var pg15 = await clusters.GetAsync(1);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("old", pg15), ("new", pg18));
        (await s.ScalarAsync<string>("new", "SHOW server_version")).ShouldStartWith("18.");
        (await s.ScalarAsync<string>("old", "SHOW server_version")).ShouldStartWith("15.");
        await s.ExecAllAsync(Table);
        await s.ExecAllAsync(Table.Replace("mixed", "back", StringComparison.Ordinal));
        await s.ExecAsync("old", Rows, 1, 2000);
        await s.ExecAsync("new", Rows.Replace("mixed", "back", StringComparison.Ordinal), 1, 1000);
        await s.AddNodesAsync();
        var up = "up" + s.Id.Replace("_", "", StringComparison.Ordinal);
        var down = "down" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", up, "--tables", "mixed", "--source", "old", "--target", "new")).ShouldSucceed();
        (await s.Ibex("sync", "add", down, "--tables", "back", "--source", "new", "--target", "old")).ShouldSucceed();
        s.StartDaemon();
        await s.ExecAsync("old", Rows, 2001, 2500);
        await s.ExecAsync("old", "UPDATE mixed SET t = t || ' changed', j = j || '{\"u\": true}' WHERE id % 10 = 0");
        await s.ExecAsync("old", "DELETE FROM mixed WHERE id % 13 = 0");
        await s.ExecAsync("new", Rows.Replace("mixed", "back", StringComparison.Ordinal), 1001, 1500);
        await s.ExecAsync("new", "UPDATE back SET n = n * 2 WHERE id % 3 = 0");
        await s.WaitAsync(up, 120);
        await s.WaitAsync(down, 120);

        await s.ShouldMatchAsync("mixed", "id", "old", "new");
        await s.ShouldMatchAsync("back", "id", "new", "old");
        (await s.Ibex("compare", up)).ExitCode.ShouldBe(0);
        (await s.Ibex("compare", down)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Multi_master_across_16_17_and_18_converges()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg16 = await LocalCluster.StartAsync("v16", 16, cancellationToken: ct);
        await using var pg17 = await LocalCluster.StartAsync("v17", 17, cancellationToken: ct);
        await using var pg18 = await LocalCluster.StartAsync("v18mm", 18, cancellationToken: ct);
        await using var s = await Scenario.CreateAsync(await clusters.GetAsync(0), ("a", pg16), ("b", pg17), ("c", pg18));
        await s.ExecAllAsync(Table);
        await s.ExecAsync("a", Rows, 1, 1000);
        await s.AddNodesAsync();
        var sync = "mmv" + s.Id.Replace("_", "", StringComparison.Ordinal);
        (await s.Ibex("sync", "add", sync, "--tables", "mixed", "--source", "a", "--source", "b", "--source", "c")).ShouldSucceed();
        s.StartDaemon();
        await s.WaitAsync(sync, 120);
        await s.ExecAsync("b", Rows, 100001, 100200);
        await s.ExecAsync("c", Rows, 200001, 200200);
        await s.ExecAsync("a", "UPDATE mixed SET t = 'from a' WHERE id <= 50");
        await s.ExecAsync("b", "UPDATE mixed SET t = 'from b' WHERE id > 950 AND id <= 1000");
        await s.ExecAsync("c", "DELETE FROM mixed WHERE id BETWEEN 500 AND 520");
        await s.WaitAsync(sync, 120);

        await s.ShouldMatchAsync("mixed", "id", "a", "b", "c");
        (await s.ScalarAsync<long>("c", "SELECT count(*) FROM mixed")).ShouldBe(1000 - 21 + 400);
        (await s.Ibex("compare", sync)).ExitCode.ShouldBe(0);
    }
}
