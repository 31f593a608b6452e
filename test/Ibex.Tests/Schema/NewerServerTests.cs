using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// Schema diff between a PostgreSQL 18 and a 15 server: what 15 cannot take is named, views print alike, and a
/// virtual generated column (18) is created as one.
/// </summary>
public class NewerServerTests(SharedClusters clusters)
{
    const string Portable = """
        CREATE TABLE plain (id int PRIMARY KEY, name text);
        CREATE VIEW named AS SELECT id, name FROM plain WHERE id > 10;
        """;

    const string Newer = """
        CREATE EXTENSION btree_gist;
        CREATE TABLE shop (id int PRIMARY KEY, price numeric, with_tax numeric GENERATED ALWAYS AS (price * 1.2) VIRTUAL);
        CREATE TABLE ids (id uuid PRIMARY KEY DEFAULT uuidv7());
        CREATE TABLE bookings (room int, during tstzrange, PRIMARY KEY (room, during WITHOUT OVERLAPS));
        CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY, at date NOT NULL) PARTITION BY RANGE (at);
        """;

    [Fact]
    public async Task A_diff_from_18_into_15_names_what_15_cannot_take_and_finds_the_same_view_unchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg18 = await LocalCluster.StartAsync("sd18", 18, cancellationToken: ct);
        await using var own15 = SharedClusters.MajorOf(0) is null or 15 ? null : await LocalCluster.StartAsync("sd15", cancellationToken: ct);
        await using var kit = new SchemaTestKit(own15 ?? await clusters.GetAsync(0), pg18);
        var (old, newer) = (await kit.CreateDatabaseAsync(0), await kit.CreateDatabaseAsync(1));
        await kit.PsqlAsync(old, Portable);
        await kit.PsqlAsync(newer, Portable + Newer);
        (await kit.MajorAsync(old)).ShouldBe(15);

        var (code, script, error) = await kit.DiffAsync(newer, old, "--allow-hazards");

        code.ShouldBe(0, error);
        var lines = error.Split('\n');
        lines.ShouldContain(l => l.Contains("column public.shop.with_tax uses a virtual generated column, new in PostgreSQL 18; the --to server runs PostgreSQL 15, where the script fails", StringComparison.Ordinal), error);
        lines.ShouldContain(l => l.Contains("column public.ids.id uses uuidv7(), new in PostgreSQL 18", StringComparison.Ordinal), error);
        lines.ShouldContain(l => l.Contains("bookings_pkey on public.bookings uses a temporal key (WITHOUT OVERLAPS), new in PostgreSQL 18", StringComparison.Ordinal), error);
        // PostgreSQL 15 takes an identity column on a partitioned table (17 only added ALTER … ADD IDENTITY on one).
        error.ShouldNotContain("events");
        error.ShouldNotContain("plain");
        error.ShouldNotContain("named");
        script.ShouldNotContain("\"named\"");
        script.ShouldNotContain("\"plain\"");

        // The other way, 15 into 18, nothing is new to the target.
        var (_, _, back) = await kit.DiffAsync(old, newer, "--allow-hazards");
        back.ShouldNotContain("new in PostgreSQL");
    }

    [Fact]
    public async Task A_virtual_generated_column_is_created_as_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var pg18 = await LocalCluster.StartAsync("sd18v", 18, cancellationToken: ct);
        await using var kit = new SchemaTestKit(pg18);
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(from, "CREATE TABLE shop (id int PRIMARY KEY, price numeric, with_tax numeric GENERATED ALWAYS AS (price * 1.2) VIRTUAL, stored numeric GENERATED ALWAYS AS (price * 2) STORED);");

        var (code, script, error) = await kit.DiffAsync(from, to);
        code.ShouldBe(0, error);
        script.ShouldContain("GENERATED ALWAYS AS ((price * 1.2)) VIRTUAL");
        await kit.PsqlAsync(to, script);

        (await kit.DiffAsync(from, to, "--exit-code")).ShouldBe((0, "", ""));
        await using var conn = await kit.OpenAsync(to);
        (await conn.ScalarAsync<string>("SELECT string_agg(attname || '=' || attgenerated::text, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'shop'::regclass AND attnum > 0")).ShouldBe("id=,price=,with_tax=v,stored=s");
    }
}
