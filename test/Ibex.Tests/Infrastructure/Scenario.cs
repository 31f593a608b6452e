using Ibex.Cli;
using Ibex.Control;
using Ibex.Daemon;
using Ibex.Local;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Infrastructure;

/// <summary>
/// One test's replication world on the shared clusters: its own control, source and target databases (unique
/// names), the ibex CLI run in-process against them, and an in-process daemon. Disposing removes every sync
/// (slots, publications, origins) and drops the databases, even when the test failed.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    readonly List<(LocalCluster Cluster, string Database)> _databases = [];
    readonly StringWriter _daemonLog = new();
    CancellationTokenSource? _daemonCts;
    Task? _daemonTask;
    ILoggerFactory? _loggers;

    Scenario(string id) => Id = id;

    public string Id { get; }

    public required LocalCluster ControlCluster { get; init; }

    public required string ControlDatabase { get; init; }

    public List<(string Node, LocalCluster Cluster, string Database)> Nodes { get; } = [];

    public string ControlDsn => ControlCluster.ConnectionString(ControlDatabase);

    /// <summary>Creates the control database (initialised) and one database per node, on clusters chosen round-robin.</summary>
    public static async Task<Scenario> CreateAsync(SharedClusters clusters, params string[] nodes)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var id = Names.Unique("s");
        var control = await clusters.GetAsync(0);
        var scenario = new Scenario(id) { ControlCluster = control, ControlDatabase = id + "_ctl" };
        await control.CreateDatabaseAsync(scenario.ControlDatabase);
        scenario._databases.Add((control, scenario.ControlDatabase));
        for (var i = 0; i < nodes.Length; i++)
        {
            var cluster = await clusters.GetAsync(i % 3);
            var db = $"{id}_{nodes[i]}";
            await cluster.CreateDatabaseAsync(db);
            scenario._databases.Add((cluster, db));
            scenario.Nodes.Add((nodes[i], cluster, db));
        }
        (await scenario.Ibex("init")).ShouldSucceed();
        return scenario;
    }

    /// <summary>Uses given clusters for nodes (tests that stop servers bring their own).</summary>
    public static async Task<Scenario> CreateAsync(LocalCluster control, params (string Node, LocalCluster Cluster)[] nodes)
    {
        ArgumentNullException.ThrowIfNull(control);
        var id = Names.Unique("s");
        var scenario = new Scenario(id) { ControlCluster = control, ControlDatabase = id + "_ctl" };
        await control.CreateDatabaseAsync(scenario.ControlDatabase);
        scenario._databases.Add((control, scenario.ControlDatabase));
        foreach (var (node, cluster) in nodes)
        {
            var db = $"{id}_{node}";
            await cluster.CreateDatabaseAsync(db);
            scenario._databases.Add((cluster, db));
            scenario.Nodes.Add((node, cluster, db));
        }
        (await scenario.Ibex("init")).ShouldSucceed();
        return scenario;
    }

    public (LocalCluster Cluster, string Database) Node(string name)
    {
        var n = Nodes.Single(x => x.Node == name);
        return (n.Cluster, n.Database);
    }

    public string Dsn(string node)
    {
        var (c, db) = Node(node);
        return c.ConnectionString(db);
    }

    public async Task<NpgsqlConnection> OpenAsync(string node)
    {
        var (c, db) = Node(node);
        return await Scratch.OpenAsync(c.NpgsqlConnectionString(db));
    }

    /// <summary>Runs SQL on every node (typically the same schema everywhere).</summary>
    public async Task ExecAllAsync(string sql)
    {
        foreach (var (node, _, _) in Nodes)
            await ExecAsync(node, sql);
    }

    public async Task ExecAsync(string node, string sql, params object?[] args)
    {
        await using var conn = await OpenAsync(node);
        await conn.ExecAsync(sql, args);
    }

    public async Task<T> ScalarAsync<T>(string node, string sql, params object?[] args)
    {
        await using var conn = await OpenAsync(node);
        return await conn.ScalarAsync<T>(sql, args);
    }

    /// <summary>Runs the ibex CLI in-process with IBEX_CONTROL set to this scenario's control database.</summary>
    public async Task<CliResult> Ibex(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, name => name == "IBEX_CONTROL" ? ControlDsn : Environment.GetEnvironmentVariable(name));
        var code = await IbexCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Adds every node of the scenario with <c>ibex node add</c>.</summary>
    public async Task AddNodesAsync()
    {
        foreach (var (node, _, _) in Nodes)
            (await Ibex("node", "add", node, "--dsn", Dsn(node))).ShouldSucceed();
    }

    /// <summary>Starts an in-process daemon (ibex run).</summary>
    public void StartDaemon(params string[] syncs) => StartDaemon(new DaemonOptions { Syncs = syncs, PollInterval = TimeSpan.FromSeconds(2) });

    /// <summary>Starts an in-process daemon with the given options.</summary>
    public void StartDaemon(DaemonOptions options)
    {
        _daemonCts = new CancellationTokenSource();
        _loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(TextWriter.Synchronized(_daemonLog), LogLevel.Debug)).SetMinimumLevel(LogLevel.Debug).AddFilter("Npgsql", LogLevel.Information));
        var control = Control.ControlDatabase.Open(ControlDsn);
        var supervisor = new Supervisor(control, options, _loggers);
        _daemonTask = Task.Run(async () =>
        {
            try
            {
                await supervisor.RunAsync(_daemonCts.Token);
            }
            finally
            {
                await control.DisposeAsync();
            }
        });
    }

    public string DaemonLog => _daemonLog.ToString();

    public async Task StopDaemonAsync()
    {
        if (_daemonCts is null)
            return;
        await _daemonCts.CancelAsync();
        try
        {
            await _daemonTask!.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
        }
        _daemonCts.Dispose();
        _daemonCts = null;
        _loggers?.Dispose();
    }

    /// <summary><c>ibex wait</c>, failing the test with every session (<see cref="SessionsAsync"/>) and the daemon log when it times out.</summary>
    public async Task WaitAsync(string sync, int timeoutSeconds = 60)
    {
        var r = await Ibex("wait", sync, "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.ExitCode == 0)
            return;
        string sessions;
        try
        {
            sessions = await SessionsAsync();
        }
        catch (Exception e) when (e is NpgsqlException or IbexException or InvalidOperationException)
        {
            sessions = $"(sessions not read: {e.Message})";
        }
        throw new ShouldAssertException($"ibex wait failed: {r.Error}\n{sessions}\n--- daemon log ---\n{DaemonLog}");
    }

    /// <summary>All rows of a table as text, ordered: compares byte-for-byte across nodes.</summary>
    public async Task<List<string>> RowsAsync(string node, string table, string orderBy = "1")
    {
        await using var conn = await OpenAsync(node);
        await using var cmd = new NpgsqlCommand($"SELECT t::text FROM {table} t ORDER BY {orderBy}", conn);
        await using var r = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await r.ReadAsync(TestContext.Current.CancellationToken))
            rows.Add(r.GetString(0));
        return rows;
    }

    /// <summary>The rows of any query as text, ordered.</summary>
    public Task<List<string>> QueryRowsAsync(string node, string sql) => RowsAsync(node, $"({sql})", "1");

    /// <summary>
    /// For a test that timed out waiting: every session of each node's database and of the control database (what it
    /// waits on, its query), the slots, and <c>ibex status</c>.
    /// </summary>
    public async Task<string> SessionsAsync()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (node, _, _) in Nodes.Append(("control", ControlCluster, ControlDatabase)))
        {
            sb.AppendLine($"--- sessions of {node} ---");
            await using var conn = node == "control" ? await Scratch.OpenAsync(ControlCluster.NpgsqlConnectionString(ControlDatabase)) : await OpenAsync(node);
            foreach (var line in await conn.LinesAsync("""
                SELECT a.pid || ' ' || coalesce(a.application_name, '') || ' ' || a.backend_type || ' ' || coalesce(a.state, '') || ' wait ' || coalesce(a.wait_event_type || ':' || a.wait_event, '-')
                    || ' xact ' || coalesce(to_char(now() - a.xact_start, 'SS.MS'), '-') || ' blocked by ' || coalesce(pg_blocking_pids(a.pid)::text, '')
                    || ' | ' || left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 160)
                FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() ORDER BY a.pid
                """))
                sb.AppendLine("  " + line);
            if (node != "control")
                foreach (var line in await conn.LinesAsync("SELECT slot_name || ' active ' || active || ' pid ' || coalesce(active_pid::text, '-') || ' confirmed ' || coalesce(confirmed_flush_lsn::text, '-') || ' wal now ' || pg_current_wal_lsn() FROM pg_replication_slots WHERE database = current_database()"))
                    sb.AppendLine("  slot " + line);
        }
        var status = await Ibex("status");
        sb.AppendLine("--- ibex status ---").AppendLine(status.Output).AppendLine(status.Error);
        return sb.ToString();
    }

    /// <summary>Asserts a table holds the same rows on every listed node as on the first.</summary>
    public async Task ShouldMatchAsync(string table, string orderBy, params string[] nodes)
    {
        var expected = await RowsAsync(nodes[0], table, orderBy);
        foreach (var n in nodes.Skip(1))
        {
            var actual = await RowsAsync(n, table, orderBy);
            if (!actual.SequenceEqual(expected))
            {
                var missing = expected.Except(actual).Take(5).ToList();
                var extra = actual.Except(expected).Take(5).ToList();
                throw new ShouldAssertException($"{table} on {n} differs from {nodes[0]}: {expected.Count} vs {actual.Count} rows; missing {string.Join(" | ", missing)}; extra {string.Join(" | ", extra)}\n--- daemon log ---\n{DaemonLog}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopDaemonAsync();
        try
        {
            var list = await Ibex("sync", "list", "--json");
            if (list.ExitCode == 0)
                foreach (var name in System.Text.Json.JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()!))
                    await Ibex("sync", "remove", name, "--force");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Cleanup continues below whatever happened.
        }
        foreach (var (cluster, db) in _databases)
        {
            try
            {
                if (!await cluster.IsRunningAsync())
                    continue;
                await cluster.ExecuteAsync("postgres", $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '{db}' AND NOT active");
                await cluster.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
                await cluster.ExecuteAsync("postgres", $"SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname LIKE 'ibex\\_%' AND roname LIKE '%' || '{Id}' || '%'");
            }
            catch (Exception e) when (e is NpgsqlException or IbexException)
            {
                // Best effort: the shared clusters are thrown away at the end of the run anyway.
            }
        }
    }
}

/// <summary>Exit code and captured output of one CLI run.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public CliResult ShouldSucceed()
    {
        if (ExitCode != 0)
            throw new ShouldAssertException($"ibex exited {ExitCode}: {Error}{Output}");
        return this;
    }

    public CliResult ShouldFail(string mentions)
    {
        if (ExitCode == 0)
            throw new ShouldAssertException($"ibex succeeded but should have failed mentioning '{mentions}': {Output}");
        Error.ShouldContain(mentions, Case.Insensitive);
        return this;
    }
}
