using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>Extension versions: updated when the target server can, reported when it cannot.</summary>
public class ExtensionTests(SharedClusters clusters)
{
    [Fact]
    public async Task An_older_extension_is_updated_to_the_source_version()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, "CREATE EXTENSION hstore VERSION '1.8';"), kit.PsqlAsync(to, "CREATE EXTENSION hstore VERSION '1.5';"));

        var script = await kit.RoundTripAsync(from, to);

        script.ShouldHave("ALTER EXTENSION \"hstore\" UPDATE TO '1.8';");
    }

    [Fact]
    public async Task A_version_the_target_cannot_reach_is_a_warning_not_a_statement()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, "CREATE EXTENSION hstore VERSION '1.5';"), kit.PsqlAsync(to, "CREATE EXTENSION hstore VERSION '1.8';"));

        var (code, output, error) = await kit.DiffAsync(from, to, "--exit-code");

        code.ShouldBe(0);
        output.ShouldBe("");
        error.ShouldBe("ibex: warning: extension hstore is at version 1.8 on the --to server, which cannot update it to 1.5; left as it is\n");
    }

    [Fact]
    public async Task A_new_extension_is_created_at_the_source_version()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(from, "CREATE SCHEMA ext; CREATE EXTENSION hstore WITH SCHEMA ext VERSION '1.6'; CREATE TABLE t (h ext.hstore);");

        var script = await kit.RoundTripAsync(from, to);

        script.ShouldHave("CREATE EXTENSION \"hstore\" WITH SCHEMA \"ext\" VERSION '1.6';");
    }
}
