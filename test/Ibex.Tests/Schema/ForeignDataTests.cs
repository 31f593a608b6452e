using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>Foreign data wrappers, servers and user mappings; a mapping's secrets never appear in a script.</summary>
public class ForeignDataTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_user_mapping_password_is_never_printed_and_is_named_in_a_warning()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(from, """
            CREATE FOREIGN DATA WRAPPER remote_rows;
            CREATE SERVER archive FOREIGN DATA WRAPPER remote_rows OPTIONS (host 'archive');
            CREATE USER MAPPING FOR PUBLIC SERVER archive OPTIONS (user 'reader', password 's3cret-value');
            """);

        var (code, output, error) = await kit.DiffAsync(from, to, "--json");

        code.ShouldBe(0, error);
        output.ShouldNotContain("s3cret-value");
        error.ShouldNotContain("s3cret-value");
        output.ShouldContain("CREATE USER MAPPING FOR PUBLIC SERVER \\u0022archive\\u0022 OPTIONS (\\u0022user\\u0022 \\u0027reader\\u0027);");
        error.ShouldBe("ibex: warning: user mapping for PUBLIC on server archive has password set on --from, which the script does not copy; set it on --to with ALTER USER MAPPING … OPTIONS (ADD …)\n");
    }
}
