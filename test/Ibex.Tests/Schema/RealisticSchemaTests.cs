using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>A realistic schema of 60+ tables with views, functions, triggers and policies.</summary>
public class RealisticSchemaTests(SharedClusters clusters)
{
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
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var one = await kit.CreateDatabaseAsync();
        var two = await kit.CreateDatabaseAsync();
        await Task.WhenAll(kit.PsqlAsync(one, Schema), kit.PsqlAsync(two, Schema));

        var (code, output, error) = await kit.DiffAsync(one, two, "--exit-code");

        error.ShouldBe("");
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
