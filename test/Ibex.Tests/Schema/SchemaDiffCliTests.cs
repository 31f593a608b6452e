using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>The command line contract of <c>ibex schema diff</c>: output, exit codes and errors.</summary>
public class SchemaDiffCliTests(SharedClusters clusters)
{
    [Fact]
    public async Task Identical_schemas_print_nothing_and_exit_0_even_with_exit_code()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (a, b) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        const string sql = "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v);";
        await Task.WhenAll(kit.PsqlAsync(a, sql), kit.PsqlAsync(b, sql));

        (await kit.DiffAsync(a, b)).ShouldBe((0, "", ""));
        (await kit.DiffAsync(a, b, "--exit-code")).ShouldBe((0, "", ""));
    }

    [Fact]
    public async Task Differences_exit_0_or_2_with_exit_code()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (a, b) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(a, "CREATE TABLE t (id int);");

        var plain = await kit.DiffAsync(a, b);
        plain.Code.ShouldBe(0);
        plain.Out.ShouldBe("BEGIN;\nSET LOCAL search_path TO \"pg_catalog\";\nSET LOCAL check_function_bodies TO off;\nCREATE TABLE \"public\".\"t\" (\n    \"id\" integer\n);\nCOMMIT;\n");
        (await kit.DiffAsync(a, b, "--exit-code")).ShouldBe((2, plain.Out, ""));
    }

    [Fact]
    public async Task Only_the_named_schemas_are_compared()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (a, b) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(a, "CREATE SCHEMA one; CREATE SCHEMA two; CREATE TABLE one.t (id int); CREATE TABLE two.t (id int); CREATE TABLE public.t (id int);");
        await kit.PsqlAsync(b, "CREATE SCHEMA one; CREATE SCHEMA two;");

        var (code, output, error) = await kit.DiffAsync(a, b, "--schema", "two", "--schema", "public");

        code.ShouldBe(0, error);
        output.ShouldHave("CREATE TABLE \"two\".\"t\"");
        output.ShouldHave("CREATE TABLE \"public\".\"t\"");
        output.ShouldNotHave("\"one\"");
    }

    [Fact]
    public async Task A_column_that_cannot_go_in_its_place_is_a_warning()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (a, b) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await kit.PsqlAsync(a, "CREATE TABLE t (id int, middle text, last text);");
        await kit.PsqlAsync(b, "CREATE TABLE t (id int, last text);");

        var (code, output, error) = await kit.DiffAsync(a, b);

        code.ShouldBe(0);
        output.ShouldHave("ALTER TABLE \"public\".\"t\" ADD COLUMN \"middle\" text;");
        error.ShouldBe("ibex: warning: column public.t.middle is added after the existing columns (PostgreSQL cannot insert a column in the middle), so the column order differs from the --from table\n");
    }

    [Fact]
    public async Task A_connection_failure_is_one_line_naming_the_side()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var a = await kit.CreateDatabaseAsync();

        var (code, output, error) = await SchemaTestKit.IbexAsync("schema", "diff", "--from", kit.Conn(a), "--to", "host=127.0.0.1 port=1 dbname=nowhere user=postgres connect_timeout=3");

        code.ShouldBe(1);
        output.ShouldBe("");
        error.ShouldStartWith("ibex: cannot connect to the --to database (postgresql://postgres@127.0.0.1:1/nowhere): ");
        error.TrimEnd('\n').ShouldNotContain("\n");

        var missing = await SchemaTestKit.IbexAsync("schema", "diff", "--from", kit.Conn("no_such_database_here"), "--to", kit.Conn(a));
        missing.Code.ShouldBe(1);
        missing.Err.ShouldStartWith("ibex: cannot connect to the --from database");
        missing.Err.ShouldContain("no_such_database_here");
    }

    [Fact]
    public async Task A_malformed_connection_string_is_one_line_naming_the_option()
    {
        var (code, output, error) = await SchemaTestKit.IbexAsync("schema", "diff", "--from", "host=h bogus=1", "--to", "host=h");

        code.ShouldBe(1);
        output.ShouldBe("");
        error.ShouldBe("ibex: --from: unknown connection parameter 'bogus'; use libpq names such as host, port, dbname, user, password, sslmode\n");
    }

    [Fact]
    public async Task Both_connections_are_required()
    {
        var (code, _, error) = await SchemaTestKit.IbexAsync("schema", "diff", "--from", "host=h");

        code.ShouldNotBe(0);
        error.ShouldContain("--to");
    }
}
