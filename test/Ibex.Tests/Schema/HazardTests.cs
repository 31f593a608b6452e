using System.Text.Json;
using Ibex.Schema;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>Statements that can lose data are refused unless allowed; risky ones are marked with a comment.</summary>
public class HazardTests(SharedClusters clusters)
{
    const string Before = "CREATE TABLE users (id int PRIMARY KEY, name text, email text, age int);";
    const string After = "CREATE TABLE users (id int PRIMARY KEY, name text, age int);";

    [Fact]
    public async Task Dropping_a_column_is_refused_without_allow_hazards_and_names_the_column()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, After), kit.PsqlAsync(to, Before));

        var (code, output, error) = await kit.DiffAsync(from, to);

        code.ShouldBe(1);
        output.ShouldBe("");
        error.ShouldBe("ibex: refusing to drop column public.users.email (data loss); re-run with --allow-hazards to include it\n");
    }

    [Fact]
    public async Task With_allow_hazards_the_drop_is_printed_after_a_hazard_comment_and_reported()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, After), kit.PsqlAsync(to, Before));

        var (code, output, error) = await kit.DiffAsync(from, to, "--allow-hazards");

        code.ShouldBe(0);
        output.ShouldHave("-- hazard: drop column public.users.email (data loss)\nALTER TABLE \"public\".\"users\" DROP COLUMN \"email\";\n");
        error.ShouldContain("drop column public.users.email (data loss)");
        await kit.PsqlAsync(to, output);
        (await kit.DiffAsync(from, to, "--exit-code")).ShouldBe((0, "", ""));
    }

    [Fact]
    public async Task Several_refusals_are_listed_on_one_line()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(from, "CREATE TABLE users (id int PRIMARY KEY, age smallint);"),
            kit.PsqlAsync(to, Before + "CREATE TABLE \"Old Stuff\" (x int);"));

        var (code, output, error) = await kit.DiffAsync(from, to);

        code.ShouldBe(1);
        output.ShouldBe("");
        error.TrimEnd('\n').ShouldNotContain("\n");
        error.ShouldContain("drop table public.\"Old Stuff\" (data loss)");
        error.ShouldContain("drop column public.users.email (data loss)");
        error.ShouldContain("change type of column public.users.age from integer to smallint (data loss");
        error.ShouldEndWith("re-run with --allow-hazards to include them\n");
    }

    [Fact]
    public async Task Long_locks_are_marked_but_not_refused()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(from, "CREATE TABLE t (id bigint NOT NULL, v text, CONSTRAINT v_short CHECK (length(v) < 10)); CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE INDEX p_a ON p (a);"),
            kit.PsqlAsync(to, "CREATE TABLE t (id int, v text); CREATE TABLE p (a int) PARTITION BY RANGE (a);"));

        var (code, output, error) = await kit.DiffAsync(from, to);

        code.ShouldBe(0, error);
        output.ShouldHave("-- hazard: change type of column public.t.id from integer to bigint (rewrites the table under an ACCESS EXCLUSIVE lock)\nALTER TABLE \"public\".\"t\" ALTER COLUMN \"id\" TYPE bigint;");
        output.ShouldHave("-- hazard: set not null on column public.t.id (scans the table under an ACCESS EXCLUSIVE lock)\n");
        output.ShouldHave("ADD CONSTRAINT \"v_short\" CHECK ((length(v) < 10)) NOT VALID;\n-- hazard: validate constraint v_short on public.t (scans the table; writes continue)\nALTER TABLE \"public\".\"t\" VALIDATE CONSTRAINT \"v_short\";");
        output.ShouldHave("-- hazard: create index public.p_a (builds the index under a SHARE lock that blocks writes)\nCREATE INDEX \"p_a\" ON \"public\".\"p\" USING btree (a);");
        error.ShouldBe("");
    }

    [Fact]
    public async Task The_library_returns_refused_hazards_and_every_statement()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, After), kit.PsqlAsync(to, Before));
        await using var f = await kit.OpenAsync(from);
        await using var t = await kit.OpenAsync(to);

        var result = await SchemaDiff.DiffAsync(f, t, new SchemaDiffOptions(), TestContext.Current.CancellationToken);

        result.HasDifferences.ShouldBeTrue();
        result.RefusedHazards.ShouldBe(["drop column public.users.email (data loss)"]);
        var drop = result.Statements.ShouldHaveSingleItem();
        drop.Sql.ShouldBe("ALTER TABLE \"public\".\"users\" DROP COLUMN \"email\";");
        drop.DataLoss.ShouldBeTrue();
        drop.Transactional.ShouldBeTrue();
        drop.Hazards.ShouldBe(["drop column public.users.email (data loss)"]);
        result.ToScript().ShouldBe("BEGIN;\nSET LOCAL search_path TO \"pg_catalog\";\nSET LOCAL check_function_bodies TO off;\n-- hazard: drop column public.users.email (data loss)\nALTER TABLE \"public\".\"users\" DROP COLUMN \"email\";\nCOMMIT;\n");

        var allowed = await SchemaDiff.DiffAsync(f, t, new SchemaDiffOptions { AllowHazards = true }, TestContext.Current.CancellationToken);
        allowed.RefusedHazards.ShouldBeEmpty();
        allowed.AllowedHazards.ShouldBe(["drop column public.users.email (data loss)"]);
    }

    [Fact]
    public async Task Json_output_lists_statements_with_their_hazards()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (from, to) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(kit.PsqlAsync(from, After), kit.PsqlAsync(to, Before));

        var (code, output, error) = await kit.DiffAsync(from, to, "--allow-hazards", "--json");

        code.ShouldBe(0, error);
        using var doc = JsonDocument.Parse(output);
        doc.RootElement.GetProperty("hasDifferences").GetBoolean().ShouldBeTrue();
        var statement = doc.RootElement.GetProperty("statements").EnumerateArray().ShouldHaveSingleItem();
        statement.GetProperty("sql").GetString().ShouldBe("ALTER TABLE \"public\".\"users\" DROP COLUMN \"email\";");
        statement.GetProperty("dataLoss").GetBoolean().ShouldBeTrue();
        statement.GetProperty("hazards")[0].GetString().ShouldBe("drop column public.users.email (data loss)");
        doc.RootElement.GetProperty("script").GetString()!.ShouldContain("COMMIT;");
    }
}
