using System.Text;
using System.Text.Json;
using Ibex.Cli;
using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.Import;

/// <summary>
/// Acceptance of <c>ibex import bucardo</c> against a real Bucardo 5 configuration made with Debian's <c>bucardo</c>
/// (<c>bucardo install</c>, <c>add db/table/sync</c>; Bucardo's daemon never runs), replicated afterwards by Ibex.
/// </summary>
public class BucardoImportTests(SharedClusters clusters)
{
    const string Password = "Bucardo-Secret-42";

    [Fact]
    public async Task Imported_one_way_and_two_source_syncs_replicate_the_same_tables_between_the_same_databases()
    {
        if (await BucardoControl.UnavailableReasonAsync() is { } reason)
            Assert.Skip(reason);
        await using var bucardo = await BucardoControl.InstallAsync();
        await using var s = await Scenario.CreateAsync(clusters, "src", "dst", "ma", "mb");
        await s.ExecAsync("src", "CREATE TABLE orders (id int PRIMARY KEY, v text); CREATE TABLE \"Order Items\" (id int PRIMARY KEY, n int); INSERT INTO orders VALUES (1, 'before'), (2, 'before')");
        await s.ExecAsync("dst", "CREATE TABLE orders (id int PRIMARY KEY, v text); CREATE TABLE \"Order Items\" (id int PRIMARY KEY, n int)");
        await s.ExecAsync("ma", "CREATE TABLE notes (id int PRIMARY KEY, body text)");
        await s.ExecAsync("mb", "CREATE TABLE notes (id int PRIMARY KEY, body text)");
        foreach (var (node, cluster, db) in s.Nodes)
            await bucardo.AddDbAsync(node, cluster, db, node == "src" ? [$"dbpass={Password}"] : []);
        await bucardo.RunAsync("add", "table", "public.orders", "public.Order Items", "db=src", "relgroup=rg_one");
        await bucardo.RunAsync("add", "sync", "one", "relgroup=rg_one", "dbs=src:source,dst:target", "onetimecopy=2");
        await bucardo.RunAsync("add", "table", "public.notes", "db=ma", "relgroup=rg_two");
        await bucardo.RunAsync("add", "sync", "two", "relgroup=rg_two", "dbs=ma:source,mb:source", "conflict_strategy=bucardo_latest");

        // All or nothing: with "Order Items" gone from dst, nothing at all is created, and the error says what and where.
        await s.ExecAsync("dst", "ALTER TABLE \"Order Items\" RENAME TO order_items_old");
        var refused = await s.Ibex("import", "bucardo", "--from", bucardo.Dsn, "--apply");
        refused.ShouldFail("sync 'one'");
        refused.Error.Trim().Split('\n').Length.ShouldBe(1);
        refused.Error.ShouldContain("Order Items");
        JsonDocument.Parse((await s.Ibex("node", "list", "--json")).ShouldSucceed().Output).RootElement.GetArrayLength().ShouldBe(0);
        JsonDocument.Parse((await s.Ibex("sync", "list", "--json")).ShouldSucceed().Output).RootElement.GetArrayLength().ShouldBe(0);

        await s.ExecAsync("dst", "ALTER TABLE order_items_old RENAME TO \"Order Items\"");
        var applied = (await s.Ibex("import", "bucardo", "--from", bucardo.Dsn, "--apply")).ShouldSucceed();
        (applied.Output + applied.Error).ShouldNotContain(Password);
        applied.Output.ShouldContain("sync 'one' created");
        applied.Output.ShouldContain("sync 'two' created");
        await ShouldHaveShapeAsync(s, "one", ["src"], ["dst"], ["public.Order Items", "public.orders"]);
        await ShouldHaveShapeAsync(s, "two", ["ma", "mb"], [], ["public.notes"]);

        var log = new StringBuilder();
        await using var daemon = DaemonProcess.Start(s.ControlDsn, log);
        await s.ExecAsync("src", "INSERT INTO orders SELECT g, 'new ' || g FROM generate_series(3, 40) g; INSERT INTO \"Order Items\" SELECT g, g * 10 FROM generate_series(1, 25) g");
        await s.ExecAsync("src", "UPDATE orders SET v = 'changed' WHERE id <= 5; DELETE FROM orders WHERE id = 40; DELETE FROM \"Order Items\" WHERE id = 25");
        await s.ExecAsync("ma", "INSERT INTO notes SELECT g, 'from ma' FROM generate_series(1, 20) g");
        await s.ExecAsync("mb", "INSERT INTO notes SELECT g, 'from mb' FROM generate_series(101, 130) g");
        await WaitAsync(s, daemon, "one");
        await WaitAsync(s, daemon, "two");
        await s.ExecAsync("mb", "UPDATE notes SET body = 'edited on mb' WHERE id = 3");
        await s.ExecAsync("ma", "UPDATE notes SET body = 'edited on ma' WHERE id = 103");
        await WaitAsync(s, daemon, "two");

        await s.ShouldMatchAsync("orders", "id", "src", "dst");
        await s.ShouldMatchAsync("\"Order Items\"", "id", "src", "dst");
        await s.ShouldMatchAsync("notes", "id", "ma", "mb");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM orders")).ShouldBe(39); // 1..39: the two copied by onetimecopy=2 (--copy auto) and the streamed ones
        (await s.ScalarAsync<string>("dst", "SELECT v FROM orders WHERE id = 1")).ShouldBe("changed");
        (await s.ScalarAsync<long>("dst", "SELECT count(*) FROM \"Order Items\"")).ShouldBe(24);
        (await s.ScalarAsync<long>("ma", "SELECT count(*) FROM notes")).ShouldBe(50);
        (await s.ScalarAsync<string>("ma", "SELECT body FROM notes WHERE id = 3")).ShouldBe("edited on mb");
        (await s.ScalarAsync<string>("mb", "SELECT body FROM notes WHERE id = 103")).ShouldBe("edited on ma");
        (await daemon.StopAsync()).ShouldBe(0, log.ToString());
    }

    [Fact]
    public async Task The_printed_plan_lists_valid_commands_and_what_has_no_equivalent_without_passwords()
    {
        if (await BucardoControl.UnavailableReasonAsync() is { } reason)
            Assert.Skip(reason);
        await using var bucardo = await BucardoControl.InstallAsync();
        foreach (var db in new[] { "p1", "p2", "p3" })
        {
            await bucardo.Cluster.CreateDatabaseAsync(db);
            await bucardo.Cluster.ExecuteAsync(db, "CREATE TABLE items (id int PRIMARY KEY, v text); CREATE TABLE \"Mixed Case\" (id int PRIMARY KEY); CREATE SEQUENCE tickets");
        }
        await bucardo.AddDbAsync("p1", bucardo.Cluster, "p1", $"dbpass={Password}");
        await bucardo.AddDbAsync("p2", bucardo.Cluster, "p2");
        await bucardo.AddDbAsync("p3", bucardo.Cluster, "p3");
        await bucardo.RunAsync("add", "table", "public.items", "public.Mixed Case", "db=p1", "relgroup=rg");
        await bucardo.RunAsync("add", "sequence", "public.tickets", "db=p1", "relgroup=rg");
        await bucardo.RunAsync("add", "sync", "mm", "relgroup=rg", "dbs=p1:source,p2:source", "conflict_strategy=p2 p1", "status=inactive");
        await bucardo.RunAsync("add", "sync", "push", "relgroup=rg", "dbs=p1:source,p3:target", "autokick=0", "checktime=10 minutes", "rebuild_index=1", "onetimecopy=1");
        await bucardo.RunAsync("add", "sync", "refresh", "relgroup=rg", "dbs=p1:source,p2:fullcopy");
        await bucardo.RunAsync("add", "customcode", "audit", "whenrun=before_sync", "src_code=" + bucardo.WriteFile("audit.pl", "return;\n"), "sync=push");

        var plan = (await Run("import", "bucardo", "--from", bucardo.Dsn)).ShouldSucceed();
        plan.Output.ShouldNotContain(Password);
        var lines = plan.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldContain(l => l.StartsWith("ibex node add p1 --dsn '", StringComparison.Ordinal) && l.Contains("password=REDACTED", StringComparison.Ordinal));
        lines.ShouldContain("ibex sync add mm --tables 'public.\"Mixed Case\",public.items' --source p1 --source p2 --copy never --conflict priority:p2,p1 --sequences");
        lines.ShouldContain("ibex sync pause mm");
        lines.ShouldContain("ibex sync add push --tables 'public.\"Mixed Case\",public.items' --source p1 --target p3 --copy always --no-forward --mode kick --every 600s --sequences");
        lines.ShouldContain("ibex sync add refresh --tables 'public.\"Mixed Case\",public.items' --source p1 --fullcopy p2 --copy never --no-forward --delete-method delete --sequences");
        plan.Output.ShouldContain("customcode 'audit': Perl code run at before_sync for sync push: no Ibex equivalent");
        plan.Output.ShouldContain("sync 'push': rebuild_index = 1: no Ibex equivalent");
        plan.Output.ShouldContain("sequence(s) public.tickets");

        // Every command it prints is a valid command line of this ibex.
        var commands = lines.Where(l => l.StartsWith("ibex ", StringComparison.Ordinal)).ToList();
        commands.Count.ShouldBe(7);
        foreach (var command in commands)
        {
            var parse = IbexCli.Build(new CliContext(TextWriter.Null, TextWriter.Null)).Parse(ShellWords(command).Skip(1).ToArray());
            parse.Errors.ShouldBeEmpty(command);
        }

        var json = JsonDocument.Parse((await Run("import", "bucardo", "--from", bucardo.Dsn, "--json")).ShouldSucceed().Output).RootElement;
        json.GetProperty("commands").EnumerateArray().Select(c => c.GetString()).ShouldBe(commands);
        json.GetProperty("syncs").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "mm").GetProperty("paused").GetBoolean().ShouldBeTrue();
        json.GetProperty("not_imported").EnumerateArray().ShouldContain(n => n.GetProperty("object").GetString() == "customcode 'audit'");
        json.ToString().ShouldNotContain(Password);
    }

    [Fact]
    public async Task A_bad_from_is_a_one_line_error_with_a_non_zero_exit()
    {
        var cluster = await clusters.GetAsync(0);
        foreach (var (from, mentions) in new[]
                 {
                     ("host=127.0.0.1 port=1 dbname=bucardo user=bucardo", "--from (Bucardo control database): cannot connect"),
                     (cluster.ConnectionString("postgres"), "holds no Bucardo control schema"),
                     ("postgresql://bucardo@127.0.0.1:notaport/bucardo", "--from: port is not a number"),
                     ("dbname=bucardo nonsense=1", "unknown connection parameter 'nonsense'"),
                 })
        {
            var r = await Run("import", "bucardo", "--from", from);
            r.ShouldFail(mentions);
            r.ExitCode.ShouldBe(1);
            r.Error.Trim().Split('\n').Length.ShouldBe(1, r.Error);
            r.Output.ShouldBeEmpty();
        }
    }

    /// <summary>The Ibex sync links the same databases and holds the same tables as the Bucardo sync.</summary>
    static async Task ShouldHaveShapeAsync(Scenario s, string sync, string[] sources, string[] targets, string[] tables)
    {
        var show = JsonDocument.Parse((await s.Ibex("sync", "show", sync, "--json")).ShouldSucceed().Output).RootElement;
        show.GetProperty("sources").EnumerateArray().Select(x => x.GetProperty("node").GetString()).ShouldBe(sources);
        show.GetProperty("targets").EnumerateArray().Select(x => x.GetString()).ShouldBe(targets);
        show.GetProperty("tables").EnumerateArray().Select(x => $"{x.GetProperty("schema").GetString()}.{x.GetProperty("table").GetString()}").Order(StringComparer.Ordinal).ShouldBe(tables);
    }

    static async Task WaitAsync(Scenario s, DaemonProcess daemon, string sync)
    {
        var r = await s.Ibex("wait", sync, "--timeout", "90");
        if (r.ExitCode != 0)
            throw new ShouldAssertException($"ibex wait {sync} failed: {r.Error}\n--- daemon log ---\n{daemon.Log}");
    }

    static async Task<CliResult> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IbexCli.RunAsync(args, new CliContext(output, error, _ => null), TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Splits a POSIX shell command line (plain words and single-quoted parts, as the plan prints them).</summary>
    static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                current.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(current.ToString());
        return words;
    }
}
