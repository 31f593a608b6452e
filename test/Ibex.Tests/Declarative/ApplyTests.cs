using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Declarative;

/// <summary><c>ibex export</c> and <c>ibex apply</c> against real servers.</summary>
public class ApplyTests(SharedClusters clusters)
{
    [Fact]
    public async Task Export_then_apply_into_a_fresh_control_database_reproduces_the_configuration_exactly()
    {
        await using var a = await Scenario.CreateAsync(clusters, "a", "b", "r");
        // Slot names are cluster-wide (ibex_<sync>_<node>): sync names of their own keep parallel tests apart.
        var id = a.Id.Replace("_", "", StringComparison.Ordinal);
        await a.ExecAllAsync("""
            CREATE TABLE items (id int PRIMARY KEY, v text);
            CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, amount int);
            CREATE TABLE users (id int PRIMARY KEY, name text, secret text);
            CREATE TABLE batch (id int PRIMARY KEY, v text);
            """);
        await a.AddNodesAsync();
        (await a.Ibex("sync", "add", "mm" + id, "--tables", "items", "--source", "a", "--source", "b", "--target", "r", "--conflict", "priority:b,a")).ShouldSucceed();
        (await a.Ibex("sync", "set-conflict", "mm" + id, "public.items", "keep-local")).ShouldSucceed();
        (await a.Ibex("sync", "add", "eu" + id, "--tables", "orders,users", "--source", "a", "--target", "r",
            "--where", "public.orders=region = 'eu'", "--columns", "public.users=id,name", "--max-retained", "1GB")).ShouldSucceed();
        (await a.Ibex("sync", "add", "kick" + id, "--tables", "batch", "--source", "a", "--target", "b", "--mode", "kick", "--every", "15m", "--copy", "never")).ShouldSucceed();
        var exported = (await a.Ibex("export")).ShouldSucceed().Output;
        exported.ShouldContain("where: region = 'eu'");
        exported.ShouldContain("columns: [id, name]");
        exported.ShouldContain("mode: kick");
        exported.ShouldContain("conflict: keep-local");
        using var file = new TempFile(exported);

        // Free the slot names on the nodes: A keeps its nodes and loses its syncs, by apply itself.
        using var nodesOnly = new TempFile(exported[..exported.IndexOf("\nsyncs:", StringComparison.Ordinal)] + "\nsyncs: {}\n");
        (await a.Ibex("apply", nodesOnly.Path, "--yes")).ShouldSucceed();
        (await a.Ibex("sync", "list", "--json")).ShouldSucceed().Output.Trim().ShouldBe("[]");

        await using var b = await Scenario.CreateAsync(clusters);
        var applied = (await b.Ibex("apply", file.Path)).ShouldSucceed();
        applied.Output.ShouldContain($"+ sync 'eu{id}'");
        applied.Output.ShouldContain("initial copy (auto)");
        (await b.Ibex("export")).ShouldSucceed().Output.ShouldBe(exported);
        (await b.Ibex("export", "--format", "json")).ShouldSucceed().Output.ShouldBe((await ReExportAsJsonAsync(b, file.Path)));

        var again = (await b.Ibex("apply", file.Path)).ShouldSucceed();
        again.Output.ShouldStartWith("nothing to change");
        (await b.Ibex("export")).ShouldSucceed().Output.ShouldBe(exported);
    }

    // The JSON export of B, applied to B, changes nothing either: JSON files are read like YAML ones.
    static async Task<string> ReExportAsJsonAsync(Scenario b, string yamlFile)
    {
        var json = (await b.Ibex("export", "--format", "json")).ShouldSucceed().Output;
        using var jsonFile = new TempFile(json);
        (await b.Ibex("apply", jsonFile.Path)).ShouldSucceed().Output.ShouldStartWith("nothing to change");
        (await b.Ibex("apply", yamlFile, "--dry-run")).ShouldSucceed().Output.ShouldStartWith("nothing to change");
        return json;
    }

    [Fact]
    public async Task A_plan_that_removes_something_refuses_without_yes_and_changes_nothing()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var name = "rm" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", name, "--tables", "t1,t2", "--source", "src", "--target", "dst")).ShouldSucceed();
        var before = (await s.Ibex("export")).ShouldSucceed().Output;
        using var file = new TempFile(before.Replace("      public.t2: {}\n", "", StringComparison.Ordinal));

        var refused = await s.Ibex("apply", file.Path);
        refused.ExitCode.ShouldBe(1);
        refused.Error.Trim().Split('\n').Length.ShouldBe(1);
        refused.Error.ShouldContain($"would remove tables public.t2 of sync '{name}'");
        refused.Error.ShouldContain("--yes");
        (await s.Ibex("export")).Output.ShouldBe(before);

        (await s.Ibex("apply", file.Path, "--dry-run")).ShouldSucceed().Output.ShouldContain($"- sync '{name}': tables public.t2");
        (await s.Ibex("export")).Output.ShouldBe(before);

        (await s.Ibex("apply", file.Path, "--yes")).ShouldSucceed();
        (await s.Ibex("export")).Output.ShouldNotContain("public.t2");
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication_tables WHERE tablename = 't2'")).ShouldBe(0);
    }

    [Fact]
    public async Task Apply_changes_settings_in_place_adds_tables_and_pauses()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var name = "ch" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE t1 (id int PRIMARY KEY); CREATE TABLE t2 (id int PRIMARY KEY, v text)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", name, "--tables", "t1", "--source", "src", "--target", "dst")).ShouldSucceed();
        var before = (await s.Ibex("export")).ShouldSucceed().Output;
        var slot = await s.ScalarAsync<string>("src", "SELECT slot_name::text FROM pg_replication_slots WHERE slot_name LIKE $1", $"ibex_{name}%");
        var wanted = before.Replace("      public.t1: {}\n", "      public.t1: {}\n      public.t2:\n        columns: [id]\n", StringComparison.Ordinal)
            .Replace("    conflict: latest\n", "    conflict: latest\n    paused: true\n    auto_add_columns: true\n", StringComparison.Ordinal);
        using var file = new TempFile(wanted);

        var applied = (await s.Ibex("apply", file.Path)).ShouldSucceed().Output;
        applied.ShouldContain("auto_add_columns false -> true");
        applied.ShouldContain($"+ sync '{name}': tables public.t2 [initial copy (auto)]");
        applied.ShouldContain($"~ sync '{name}': paused");
        (await s.Ibex("export")).Output.ShouldBe(wanted);
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_publication_tables WHERE pubname = $1 AND tablename = 't2'", $"ibex_{name}")).ShouldBe(1);
        // Nothing was made anew: the sync keeps its slot.
        (await s.ScalarAsync<string>("src", "SELECT slot_name::text FROM pg_replication_slots WHERE slot_name LIKE $1", $"ibex_{name}%")).ShouldBe(slot);
        (await s.Ibex("apply", file.Path)).ShouldSucceed().Output.ShouldStartWith("nothing to change");
    }

    [Theory]
    [InlineData("unknown key", "    copy: auto\n", "    copy: auto\n    colour: blue\n", "colour: blue", "unknown key 'colour'")]
    [InlineData("unknown node", "targets: [dst]", "targets: [dts]", "targets: [dts]", "unknown node 'dts' in targets")]
    [InlineData("duplicate name", "nodes:\n", "nodes:\n  dst:\n    dsn: host=elsewhere\n", "  dst:\n    dsn: host=127", "'dst' is defined twice")]
    [InlineData("invalid YAML", "targets: [dst]", "targets: [dst", "targets: [dst", "not valid YAML")]
    [InlineData("unset password", "nodes:\n  dst:\n", "nodes:\n  dst:\n    password: ${IBEX_TEST_UNSET_PASSWORD}\n", "password:", "environment variable IBEX_TEST_UNSET_PASSWORD")]
    public async Task A_bad_file_is_one_line_with_file_and_line_and_changes_nothing(string what, string find, string replace, string faultyLine, string message)
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst");
        var name = "bad" + s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE t1 (id int PRIMARY KEY)");
        await s.AddNodesAsync();
        (await s.Ibex("sync", "add", name, "--tables", "t1", "--source", "src", "--target", "dst")).ShouldSucceed();
        var before = (await s.Ibex("export")).ShouldSucceed().Output;
        before.ShouldContain(find);
        var bad = before.Replace(find, replace, StringComparison.Ordinal);
        using var file = new TempFile(bad);
        var line = bad[..bad.IndexOf(faultyLine, StringComparison.Ordinal)].Count(c => c == '\n') + 1 + (faultyLine.StartsWith('\n') ? 1 : 0);

        var r = await s.Ibex("apply", file.Path, "--yes");
        r.ExitCode.ShouldBe(1, $"{what}: {r.Error}");
        r.Error.TrimEnd().ShouldNotContain("\n");
        r.Error.ShouldStartWith($"ibex: {file.Path}:{line}: ", Case.Sensitive, what);
        r.Error.ShouldContain(message);
        (await s.Ibex("export")).Output.ShouldBe(before);
    }

    [Fact]
    public async Task A_plan_that_fails_a_check_changes_nothing_at_all()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst", "r");
        var id = s.Id.Replace("_", "", StringComparison.Ordinal);
        await s.ExecAllAsync("CREATE TABLE t1 (id int PRIMARY KEY)");
        await s.ExecAsync("src", "CREATE TABLE t2 (id int PRIMARY KEY)");
        (await s.Ibex("node", "add", "src", "--dsn", s.Dsn("src"))).ShouldSucceed();
        (await s.Ibex("node", "add", "dst", "--dsn", s.Dsn("dst"))).ShouldSucceed();
        var before = (await s.Ibex("export")).ShouldSucceed().Output;
        // A new node, a sync that would work, and one whose table r lacks: the check refuses the whole plan.
        var wanted = before.Replace("syncs: {}", $$"""
            syncs:
              ok{{id}}:
                sources: [src]
                targets: [dst]
                tables:
                  public.t1: {}
              no{{id}}:
                sources: [src]
                targets: [r]
                tables:
                  public.t2: {}
            """, StringComparison.Ordinal).Replace("nodes:\n", $"nodes:\n  r:\n    dsn: {s.Dsn("r")}\n", StringComparison.Ordinal);
        using var file = new TempFile(wanted);

        var r = await s.Ibex("apply", file.Path);
        r.ExitCode.ShouldBe(1, r.Output);
        r.Error.ShouldStartWith("ibex: apply refused, nothing was changed: ");
        r.Error.ShouldContain($"sync 'no{id}'");
        r.Error.ShouldContain("t2");
        r.Error.TrimEnd().ShouldNotContain("\n");
        (await s.Ibex("export")).Output.ShouldBe(before);
        (await s.ScalarAsync<long>("src", "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE $1", $"ibex\\_%{id}%")).ShouldBe(0);
    }

    [Fact]
    public async Task A_password_leaves_the_export_as_a_variable_and_apply_reads_it_from_the_environment()
    {
        await using var s = await Scenario.CreateAsync(clusters, "src");
        var node = "pw" + s.Id.Replace("_", "", StringComparison.Ordinal);
        // The test servers trust local connections, so the password is carried but never checked.
        (await s.Ibex("node", "add", node, "--dsn", s.Dsn("src") + " password='s3cret word'")).ShouldSucceed();
        var exported = (await s.Ibex("export")).ShouldSucceed().Output;
        exported.ShouldNotContain("s3cret");
        var variable = $"IBEX_PASSWORD_{node.ToUpperInvariant()}";
        exported.ShouldContain($"password: ${{{variable}}}");
        using var file = new TempFile(exported);

        (await s.Ibex("apply", file.Path)).ShouldFail(variable).Error.ShouldContain("is not set");
        Environment.SetEnvironmentVariable(variable, "s3cret word");
        try
        {
            (await s.Ibex("apply", file.Path)).ShouldSucceed().Output.ShouldStartWith("nothing to change");
            Environment.SetEnvironmentVariable(variable, "rotated");
            (await s.Ibex("apply", file.Path)).ShouldSucceed().Output.ShouldContain($"~ node '{node}': connection settings");
            (await s.Ibex("export")).Output.ShouldBe(exported);
            (await s.Ibex("apply", file.Path)).ShouldSucceed().Output.ShouldStartWith("nothing to change");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
