using Ibex.Control.Model;
using Ibex.Declarative;
using Ibex.Sql;
using Shouldly;

namespace Ibex.Tests.Declarative;

/// <summary>Reading and writing configuration files, without any server.</summary>
public class ConfigFileTests
{
    static ReplicationConfig Read(string yaml, Func<string, string?>? env = null) => new ConfigReader("ibex.yaml", env ?? (_ => null)).Read(yaml);

    static string Error(string yaml, Func<string, string?>? env = null) => Should.Throw<IbexException>(() => Read(yaml, env)).Message;

    [Fact]
    public void Awkward_names_filters_and_columns_survive_a_write_and_a_read()
    {
        var table = new TableConfig(new QualifiedName("Odd Schema", "Order Items"), "note = 'a: b # c' AND \"Flag\"", ["id", "Flag", "true"], new QualifiedName("archive", "2026"), "keep-local");
        var sync = new SyncConfig("s-1.x", ["a", "b"], ["r"], [], CopyMode.Always, "priority:b,a", false,
            new SyncOptions { EverySeconds = 2.5, MaxRetainedBytes = 1L << 40, OnRetention = "drop-slot", Sequences = true }, [table]);
        var config = new ReplicationConfig([new NodeConfig("a", "host=h dbname='my db' user=u"), new NodeConfig("b", "host=h2 dbname=d"), new NodeConfig("r", "host=h3 dbname=d")], [sync]);
        foreach (var text in new[] { ConfigWriter.Yaml(config), ConfigWriter.Json(config) })
        {
            var back = Read(text);
            ConfigPlanner.Plan(back, config).IsEmpty.ShouldBeTrue(text);
            back.Syncs.Single().Tables.Single().ShouldSatisfyAllConditions(
                t => t.Columns.ShouldBe(["id", "Flag", "true"]),
                t => t.Where.ShouldBe(table.Where),
                t => t.Map.ShouldBe(table.Map));
            ConfigWriter.Yaml(back).ShouldBe(ConfigWriter.Yaml(config));
        }
    }

    [Fact]
    public void A_password_is_exported_as_a_variable_reference_and_read_back_from_the_environment()
    {
        var config = new ReplicationConfig([new NodeConfig("db-1", "postgresql://ibex:s3cr%27t@db1:5433/shop?sslmode=require")], []);
        var yaml = ConfigWriter.Yaml(config);
        yaml.ShouldNotContain("s3cr");
        yaml.ShouldContain("password: ${IBEX_PASSWORD_DB_1}");
        var back = Read(yaml, name => name == "IBEX_PASSWORD_DB_1" ? "s3cr't" : null);
        ConfigPlanner.SameDsn(back.Nodes.Single().Dsn, config.Nodes.Single().Dsn).ShouldBeTrue(back.Nodes.Single().Dsn);
        Error(yaml).ShouldBe("ibex.yaml:5: node 'db-1': environment variable IBEX_PASSWORD_DB_1 (its password) is not set; set it before running ibex apply");
    }

    [Fact]
    public void A_secret_written_in_the_file_is_refused()
    {
        Error("nodes:\n  a:\n    dsn: host=h\n    password: hunter2\n").ShouldStartWith("ibex.yaml:4: node 'a': password must be a reference to an environment variable");
        Error("nodes:\n  a:\n    dsn: host=h password=hunter2\n").ShouldBe("ibex.yaml:3: node 'a' dsn: the dsn holds 'password' itself; keep secrets out of the file and write password: ${VARIABLE} instead");
    }

    [Theory]
    [InlineData("nodes:\n  a:\n    dsn: host=h\n    colour: blue\n", "ibex.yaml:4: node 'a': unknown key 'colour'; allowed: dsn, password, sslpassword")]
    [InlineData("nodes:\n  a: {dsn: host=h}\nsyncs:\n  s:\n    sources: [a]\n    targets: [b]\n    tables: {t: {}}\n", "ibex.yaml:6: sync 's': unknown node 'b' in targets; add it under nodes: (nodes in the file: a)")]
    [InlineData("nodes:\n  a: {dsn: host=h}\n  a: {dsn: host=i}\n", "ibex.yaml:3: 'a' is defined twice in the same mapping; names and keys must be unique")]
    [InlineData("nodes:\n  a: {dsn: host=h\n", "ibex.yaml:3: not valid YAML")]
    [InlineData("nodes:\n  a: {dsn: host=h}\nsyncs:\n  s:\n    sources: [a, a]\n    tables: {t: {}}\n", "ibex.yaml:5: sync 's': node 'a' is listed more than once")]
    [InlineData("nodes:\n  a: {dsn: host=h}\n  b: {dsn: host=h}\nsyncs:\n  s:\n    sources: [a]\n    targets: [b]\n    mode: sometimes\n    tables: {t: {}}\n", "ibex.yaml:8: sync 's': mode 'sometimes' is not one of stream, kick")]
    [InlineData("nodes:\n  a: {dsn: host=h}\n  b: {dsn: host=h}\nsyncs:\n  s:\n    sources: [a]\n    targets: [b]\n    tables:\n      t: {}\n      public.t: {}\n", "ibex.yaml:10: sync 's' table public.t is listed twice")]
    [InlineData("", "ibex.yaml:1: the file is empty")]
    public void A_bad_file_is_one_line_naming_the_file_and_line(string yaml, string expected)
    {
        var message = Error(yaml);
        message.ShouldStartWith(expected);
        message.ShouldNotContain("\n");
    }

    [Fact]
    public void The_example_in_the_operations_guide_is_a_valid_file()
    {
        var doc = File.ReadAllText(Path.Combine(Docs.DocFiles.RepoRoot(), "docs", "operations.md"));
        var start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var config = Read(yaml, name => name == "IBEX_PASSWORD_PROD" ? "pw" : null);
        config.Syncs.Single().Tables.Select(t => t.Name.Display).ShouldBe(["public.orders", "public.users", "public.audit"]);
        config.Nodes.Single(n => n.Name == "prod").Dsn.ShouldContain("password=pw");
    }
}
