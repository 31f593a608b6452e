using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// Realistic schemas: a 60-table SaaS schema, and a rental shop and an accounting ledger with their own
/// aggregates used by views, partitions, triggers, policies, rules, casts, statistics, a publication and comments.
/// </summary>
public class RealisticSchemaTests(SharedClusters clusters)
{
    public static TheoryData<string> Samples() => ["rental", "ledger"];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_sample_is_created_from_nothing_and_an_older_version_is_brought_up_to_date(string sample)
    {
        var source = SchemaFiles.Read("Realistic", sample + ".sql");
        var older = SchemaFiles.Read("Realistic", sample + "-older.sql");
        // The full schema on shared server 1, the others on 0: between versions in the mixed-version CI runs.
        await using var kit = await SchemaTestKit.AcrossAsync(clusters);
        var dbs = await Task.WhenAll(new[] { 1, 0, 0 }.Select(kit.CreateDatabaseAsync));
        var (full, empty, old) = (dbs[0], dbs[1], dbs[2]);
        await Task.WhenAll(kit.PsqlAsync(full, source), kit.PsqlAsync(old, older));

        var fromNothing = kit.RoundTripAsync(full, empty, "--with-privileges");
        var upgrade = kit.RoundTripAsync(full, old);
        await Task.WhenAll(fromNothing, upgrade);

        var created = await fromNothing;
        created.ShouldHave("CREATE AGGREGATE ");
        created.ShouldNotHave("-- hazard:");
        (await upgrade).ShouldHave("CREATE AGGREGATE ");
    }

    static string Schema => SchemaFiles.Read("Realistic", "saas.sql");

    [Fact]
    public async Task Is_created_in_an_empty_database_and_then_compares_equal()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var full = await kit.CreateDatabaseAsync();
        var empty = await kit.CreateDatabaseAsync();
        await kit.PsqlAsync(full, Schema);

        var script = await kit.RoundTripAsync(full, empty);

        script.ShouldStartWith("BEGIN;\n");
        script.ShouldNotHave("-- hazard:");
        script.ShouldHave("CREATE TABLE \"shop\".\"orders\"");
        // Types and sequences first, functions before the triggers that use them, tables before their views.
        script.IndexOf("CREATE TYPE \"shop\".\"order_status\"", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("CREATE TABLE \"shop\".\"orders\"", StringComparison.Ordinal));
        script.IndexOf("CREATE FUNCTION \"core\".\"touch_updated_at\"", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("CREATE TRIGGER \"users_touch\"", StringComparison.Ordinal));
        script.IndexOf("CREATE VIEW \"billing\".\"open_invoices\"", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("CREATE VIEW \"billing\".\"overdue_invoices\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compared_with_itself_prints_nothing()
    {
        await using var kit = await SchemaTestKit.AcrossAsync(clusters);
        var one = await kit.CreateDatabaseAsync(0);
        var two = await kit.CreateDatabaseAsync(1);
        await Task.WhenAll(kit.PsqlAsync(one, Schema), kit.PsqlAsync(two, Schema));

        var (code, output, error) = await kit.DiffAsync(one, two, "--exit-code");

        (await kit.MajorAsync(one) == await kit.MajorAsync(two) ? error : SchemaTestKit.WithoutExtensionVersionWarnings(error)).ShouldBe("");
        output.ShouldBe("");
        code.ShouldBe(0);
    }

    [Fact]
    public async Task Is_dropped_completely_from_a_full_database()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var full = await kit.CreateDatabaseAsync();
        var empty = await kit.CreateDatabaseAsync();
        await kit.PsqlAsync(full, Schema);

        var script = await kit.RoundTripAsync(empty, full);

        script.ShouldHave("-- hazard: drop table shop.orders (data loss)");
        script.ShouldHave("DROP SCHEMA \"shop\";");
    }
}
