using Ibex.Schema;
using Ibex.Sql;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Schema;

/// <summary>
/// <see cref="SchemaDiffOptions.OnlyTables"/>, as <c>ibex sync add</c> uses it: the SQL that makes the target's
/// synced tables match the source, with what they need, and nothing else.
/// </summary>
public class OnlyTablesTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_missing_column_is_one_add_column_and_other_differences_are_ignored()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, target) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(source, "CREATE TABLE t (id int PRIMARY KEY, b text, c integer); CREATE TABLE other (x int, y int);"),
            kit.PsqlAsync(target, "CREATE TABLE t (id int PRIMARY KEY, b text); CREATE TABLE other (x int); CREATE TABLE target_only (z int); CREATE VIEW v AS SELECT 1 AS one;"));

        var result = await DiffAsync(kit, source, target, new QualifiedName("public", "t"));

        result.Statements.Select(s => s.Sql).ShouldBe(["ALTER TABLE \"public\".\"t\" ADD COLUMN \"c\" integer;"]);
        result.RefusedHazards.ShouldBeEmpty();
        await kit.PsqlAsync(target, result.ToScript());
        (await DiffAsync(kit, source, target, new QualifiedName("public", "t"))).HasDifferences.ShouldBeFalse();
        (await kit.DiffAsync(source, target, "--allow-hazards")).Out.ShouldContain("DROP TABLE \"public\".\"target_only\";");
    }

    [Fact]
    public async Task A_missing_table_comes_with_the_types_sequences_and_functions_it_needs()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, target) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(source, """
                CREATE SCHEMA app;
                CREATE TYPE app.state AS ENUM ('a', 'b');
                CREATE TYPE app.unused AS ENUM ('x');
                CREATE SEQUENCE app.ids;
                CREATE FUNCTION app.default_state() RETURNS app.state LANGUAGE sql AS $$ SELECT 'a'::app.state $$;
                CREATE TABLE app.parents (id int PRIMARY KEY, note text);
                CREATE TABLE app."Synced Items" (
                  id int DEFAULT nextval('app.ids') PRIMARY KEY,
                  parent_id int REFERENCES app.parents,
                  s app.state DEFAULT app.default_state(),
                  label text);
                CREATE INDEX synced_label ON app."Synced Items" (label);
                CREATE TABLE app.unrelated (id int);
                """),
            kit.PsqlAsync(target, "CREATE TABLE keep_me (id int);"));

        var result = await DiffAsync(kit, source, target, new QualifiedName("app", "Synced Items"));
        var script = result.ToScript();

        script.ShouldHave("CREATE SCHEMA \"app\";");
        script.ShouldHave("CREATE TYPE \"app\".\"state\" AS ENUM ('a', 'b');");
        script.ShouldHave("CREATE SEQUENCE \"app\".\"ids\"");
        script.ShouldHave("CREATE FUNCTION \"app\".\"default_state\"()");
        script.ShouldHave("CREATE TABLE \"app\".\"parents\" (\n    \"id\" integer NOT NULL,\n    \"note\" text\n);");
        script.ShouldHave("CREATE TABLE \"app\".\"Synced Items\"");
        script.ShouldHave("CREATE INDEX \"synced_label\" ON \"app\".\"Synced Items\"");
        script.ShouldNotHave("unused");
        script.ShouldNotHave("unrelated");
        script.ShouldNotHave("DROP");
        await kit.PsqlAsync(target, script);
        (await DiffAsync(kit, source, target, new QualifiedName("app", "Synced Items"))).Statements.ShouldBeEmpty();
    }

    [Fact]
    public async Task Objects_in_the_way_of_a_change_are_put_back_as_they_were()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, target) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(source, "CREATE TABLE t (id bigint, v text);"),
            kit.PsqlAsync(target, "CREATE TABLE t (id int, v text); CREATE VIEW target_view AS SELECT id FROM t WHERE id > 0;"));

        var result = await DiffAsync(kit, source, target, new QualifiedName("public", "t"));

        result.Statements.Select(s => s.Sql).ShouldBe(
        [
            "DROP VIEW \"public\".\"target_view\";",
            "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"id\" TYPE bigint;",
            "CREATE VIEW \"public\".\"target_view\" AS\n SELECT t.id\n   FROM public.t\n  WHERE (t.id > 0);",
        ]);
        await kit.PsqlAsync(target, result.ToScript());
        (await DiffAsync(kit, source, target, new QualifiedName("public", "t"))).HasDifferences.ShouldBeFalse();
    }

    [Fact]
    public async Task A_table_the_source_lacks_is_left_alone_and_an_extra_column_needs_allow_hazards()
    {
        await using var kit = new SchemaTestKit(await clusters.GetAsync(0));
        var (source, target) = (await kit.CreateDatabaseAsync(), await kit.CreateDatabaseAsync());
        await Task.WhenAll(
            kit.PsqlAsync(source, "CREATE TABLE t (id int PRIMARY KEY);"),
            kit.PsqlAsync(target, "CREATE TABLE t (id int PRIMARY KEY, local_note text); CREATE TABLE only_here (id int);"));

        (await DiffAsync(kit, source, target, new QualifiedName("public", "only_here"))).HasDifferences.ShouldBeFalse();

        var result = await DiffAsync(kit, source, target, new QualifiedName("public", "t"), new QualifiedName("public", "only_here"));
        result.Statements.Select(s => s.Sql).ShouldBe(["ALTER TABLE \"public\".\"t\" DROP COLUMN \"local_note\";"]);
        result.RefusedHazards.ShouldBe(["drop column public.t.local_note (data loss)"]);
    }

    static async Task<SchemaDiffResult> DiffAsync(SchemaTestKit kit, string source, string target, params QualifiedName[] tables)
    {
        await using var from = await kit.OpenAsync(source);
        await using var to = await kit.OpenAsync(target);
        return await SchemaDiff.DiffAsync(from, to, new SchemaDiffOptions { OnlyTables = tables }, TestContext.Current.CancellationToken);
    }
}
