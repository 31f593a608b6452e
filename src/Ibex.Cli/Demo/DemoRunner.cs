using System.Globalization;
using Ibex.Cli.Commands;
using Ibex.Control;
using Ibex.Daemon;
using Ibex.Local;
using Ibex.Monitoring;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Cli.Demo;

/// <summary>
/// <c>ibex demo</c>: three throwaway local PostgreSQL servers — alpha and beta both writable (multi-master), gamma a
/// read replica — a write load on both writable nodes with conflicting updates, live status, the conflict log, a proof
/// that all three hold exactly the same rows, and a clean-up that leaves nothing behind.
/// </summary>
public sealed class DemoRunner(CliContext context, TimeSpan loadDuration, bool keep)
{
    readonly TextWriter _out = context.Output;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await Step("Starting three throwaway PostgreSQL servers: alpha and beta (both writable), gamma (read replica)").ConfigureAwait(false);
        await using var alpha = await LocalCluster.StartAsync("demo-alpha", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var beta = await LocalCluster.StartAsync("demo-beta", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var gamma = await LocalCluster.StartAsync("demo-gamma", cancellationToken: cancellationToken).ConfigureAwait(false);
        await Info($"alpha: 127.0.0.1:{alpha.Port}   beta: 127.0.0.1:{beta.Port}   gamma: 127.0.0.1:{gamma.Port}   (data under {Path.GetDirectoryName(alpha.Directory)})").ConfigureAwait(false);
        var all = new[] { ("alpha", alpha), ("beta", beta), ("gamma", gamma) };
        foreach (var c in new[] { alpha, beta, gamma })
        {
            await c.CreateDatabaseAsync("shop", cancellationToken).ConfigureAwait(false);
            await c.ExecuteAsync("shop", DemoWorkload.Schema, cancellationToken).ConfigureAwait(false);
        }
        await alpha.ExecuteAsync("shop", DemoWorkload.Seed, cancellationToken).ConfigureAwait(false);
        await alpha.CreateDatabaseAsync("ibex_control", cancellationToken).ConfigureAwait(false);
        var controlDsn = alpha.ConnectionString("ibex_control");

        var logPath = Path.Combine(Path.GetTempPath(), $"ibex-demo-{Environment.ProcessId}.log");
        await using var logFile = new StreamWriter(logPath) { AutoFlush = true };
        var inner = new CliContext(TextWriter.Null, context.Error, n => n == "IBEX_CONTROL" ? controlDsn : context.Environment(n), context.LoggerFactory);
        async Task Ibex(params string[] args)
        {
            await Command($"ibex {string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Contains('"', StringComparison.Ordinal) ? $"'{a}'" : a))}").ConfigureAwait(false);
            var code = await IbexCli.RunAsync(args, inner, cancellationToken).ConfigureAwait(false);
            if (code != 0)
                throw new IbexException($"demo step 'ibex {args[0]} {args.ElementAtOrDefault(1)}' failed (exit {code})");
        }

        await Step($"Configuring Ibex (control database: {ConnectionStringShort(controlDsn)})").ConfigureAwait(false);
        await Ibex("init").ConfigureAwait(false);
        await Ibex("node", "add", "alpha", "--dsn", alpha.ConnectionString("shop")).ConfigureAwait(false);
        await Ibex("node", "add", "beta", "--dsn", beta.ConnectionString("shop")).ConfigureAwait(false);
        await Ibex("node", "add", "gamma", "--dsn", gamma.ConnectionString("shop")).ConfigureAwait(false);
        await Ibex("sync", "add", "demo", "--tables", "shop.*", "--source", "alpha", "--source", "beta", "--target", "gamma", "--conflict", "latest").ConfigureAwait(false);

        await Step("Starting the daemon (ibex run); it copies alpha's existing rows to beta and gamma").ConfigureAwait(false);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(logFile, LogLevel.Information)).SetMinimumLevel(LogLevel.Information));
        await using var control = ControlDatabase.Open(controlDsn);
        using var daemonCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var daemon = new Supervisor(control, new DaemonOptions { PollInterval = TimeSpan.FromSeconds(1) }, loggers).RunAsync(daemonCts.Token);
        try
        {
            await WaitCaughtUpAsync(control, cancellationToken).ConfigureAwait(false);

            await Step($"Writing to alpha and beta at once for {loadDuration.TotalSeconds:0} s (inserts, updates, deletes; some updates hit the same rows on both) — live status:").ConfigureAwait(false);
            using var loadCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loads = new[]
            {
                DemoWorkload.RunAsync(alpha.NpgsqlConnectionString("shop"), 1_000_000, 150, loadCts.Token),
                DemoWorkload.RunAsync(beta.NpgsqlConnectionString("shop"), 2_000_000, 150, loadCts.Token),
            };
            var end = DateTime.UtcNow + loadDuration;
            while (DateTime.UtcNow < end)
            {
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
                var st = (await new StatusReader(control).ReadAsync("demo", cancellationToken).ConfigureAwait(false)).Single();
                var links = string.Join("  ", st.Links.Select(l => $"{l.Source}->{l.Target} {(l.LagSeconds is { } lag ? $"{lag * 1000:0}ms" : "-"),6} {l.RowsApplied,5} rows"));
                await Info($"  {links}  conflicts {st.ConflictsTotal}").ConfigureAwait(false);
            }
            await loadCts.CancelAsync().ConfigureAwait(false);
            var written = await Task.WhenAll(loads).ConfigureAwait(false);
            await Info($"  {written[0]} transactions written on alpha, {written[1]} on beta").ConfigureAwait(false);

            await Step("Conflicting writes: while the sync is paused, the same orders change on alpha and then on beta").ConfigureAwait(false);
            await Ibex("sync", "pause", "demo").ConfigureAwait(false);
            await Command("alpha: UPDATE shop.orders SET status = 'cancelled by alpha' WHERE id <= 3; DELETE FROM shop.customers WHERE id = 7").ConfigureAwait(false);
            await alpha.ExecuteAsync("shop", "UPDATE shop.orders SET status = 'cancelled by alpha' WHERE id <= 3; DELETE FROM shop.customers WHERE id = 7", cancellationToken).ConfigureAwait(false);
            await Command("beta:  UPDATE shop.orders SET status = 'paid on beta' WHERE id <= 3; UPDATE shop.customers SET name = 'renamed on beta' WHERE id = 7").ConfigureAwait(false);
            await beta.ExecuteAsync("shop", "UPDATE shop.orders SET status = 'paid on beta' WHERE id <= 3; UPDATE shop.customers SET name = 'renamed on beta' WHERE id = 7", cancellationToken).ConfigureAwait(false);
            await Ibex("sync", "resume", "demo").ConfigureAwait(false);

            await Step("Waiting until every node has everything (ibex wait demo)").ConfigureAwait(false);
            await Ibex("wait", "demo", "--timeout", "60").ConfigureAwait(false);
            await Ibex("status", "demo").ConfigureAwait(false);
            var status = await new StatusReader(control).ReadAsync("demo", cancellationToken).ConfigureAwait(false);
            StatusCommand.Print(_out, status);

            await Step("The conflict log (ibex conflicts demo): under 'latest' the newer version wins, on every node").ConfigureAwait(false);
            IReadOnlyList<ConflictStore.Entry> conflicts = [];
            for (var i = 0; i < 50 && conflicts.Count < 8; i++)
            {
                // The daemon writes the conflict log in the background, within a second.
                conflicts = await new ConflictStore(control).ListAsync("demo", null, 8, cancellationToken).ConfigureAwait(false);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            foreach (var c in conflicts)
                await Info($"  {c.Kind,-14} {c.Schema}.{c.Table} {c.Key,-14} on {c.Node,-5}: {c.LocalOrigin}@{c.LocalCommitTimestamp:HH:mm:ss.fff} vs {c.RemoteOrigin}@{c.RemoteCommitTimestamp:HH:mm:ss.fff} -> {c.Winner}").ConfigureAwait(false);
            if (conflicts.Count == 0)
                await Info("  (no conflicts this time)").ConfigureAwait(false);
            await Info($"  orders 1-3 everywhere: '{await ScalarAsync(gamma.NpgsqlConnectionString("shop"), "SELECT string_agg(DISTINCT status, ', ') FROM shop.orders WHERE id <= 3", cancellationToken).ConfigureAwait(false)}'; customer 7 everywhere: '{await ScalarAsync(gamma.NpgsqlConnectionString("shop"), "SELECT coalesce((SELECT name FROM shop.customers WHERE id = 7), '(deleted)')", cancellationToken).ConfigureAwait(false)}'").ConfigureAwait(false);

            await Step("Proving alpha, beta and gamma hold exactly the same rows").ConfigureAwait(false);
            var same = true;
            foreach (var table in new[] { "shop.customers", "shop.orders", "shop.\"Order Items\"" })
            {
                var prints = new List<(long Rows, string Hash)>();
                foreach (var (_, cluster) in all)
                    prints.Add(await FingerprintAsync(cluster.NpgsqlConnectionString("shop"), table, cancellationToken).ConfigureAwait(false));
                var equal = prints.Distinct().Count() == 1;
                same &= equal;
                await Info($"  {table,-20} " + string.Join("   ", all.Select((n, i) => $"{n.Item1} {prints[i].Rows,6} rows md5 {prints[i].Hash[..12]}")) + $"   {(equal ? "identical" : "DIFFERENT")}").ConfigureAwait(false);
            }
            if (!same)
                throw new IbexException($"demo: the nodes differ; see the daemon log {logPath}");
            await Info("  all three nodes are identical.").ConfigureAwait(false);
        }
        finally
        {
            await daemonCts.CancelAsync().ConfigureAwait(false);
            try
            {
                await daemon.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (keep)
        {
            await Info($"--keep: servers stay up until you press Ctrl+C (control: {controlDsn})").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await Step("Cleaning up: removing the sync (slots, publications, origins, tombstones) and stopping the servers").ConfigureAwait(false);
        await Ibex("sync", "remove", "demo").ConfigureAwait(false);
        await Info($"done. Daemon log: {logPath}").ConfigureAwait(false);
        return 0;
    }

    async Task WaitCaughtUpAsync(ControlDatabase control, CancellationToken cancellationToken)
    {
        var behind = await new SyncWaiter(control).WaitAsync("demo", TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (behind.Count > 0)
            throw new IbexException($"demo: the initial copy did not finish within 60 s ({behind[0].State}: {behind[0].Error})");
        await Info("  initial copy from alpha to beta and gamma done; streaming both ways").ConfigureAwait(false);
    }

    static async Task<(long Rows, string Hash)> FingerprintAsync(string cs, string table, CancellationToken cancellationToken)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {table} t", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (r.GetInt64(0), r.GetString(1).PadRight(12));
    }

    static async Task<string> ScalarAsync(string cs, string sql, CancellationToken cancellationToken)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))?.ToString() ?? "";
    }

    static string ConnectionStringShort(string dsn) => Connections.ConnectionString.Redact(dsn);

    Task Step(string text) => _out.WriteLineAsync(Environment.NewLine + "==> " + text);

    Task Info(string text) => _out.WriteLineAsync(text);

    Task Command(string text) => _out.WriteLineAsync("  $ " + text);
}
