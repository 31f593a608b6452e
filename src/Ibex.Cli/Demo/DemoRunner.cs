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
/// <c>ibex demo</c>: throwaway local PostgreSQL servers, a sync between them, a write load with live status, a proof
/// that the target holds exactly the source's rows, and a clean-up that leaves nothing behind.
/// </summary>
public sealed class DemoRunner(CliContext context, TimeSpan loadDuration, bool keep)
{
    readonly TextWriter _out = context.Output;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await Step("Starting two throwaway PostgreSQL servers (alpha = source, beta = replica)").ConfigureAwait(false);
        await using var alpha = await LocalCluster.StartAsync("demo-alpha", cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var beta = await LocalCluster.StartAsync("demo-beta", cancellationToken: cancellationToken).ConfigureAwait(false);
        await Info($"alpha: 127.0.0.1:{alpha.Port}   beta: 127.0.0.1:{beta.Port}   (data under {Path.GetDirectoryName(alpha.Directory)})").ConfigureAwait(false);
        foreach (var c in new[] { alpha, beta })
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
        await Ibex("sync", "add", "demo", "--tables", "shop.*", "--source", "alpha", "--target", "beta").ConfigureAwait(false);

        await Step("Starting the daemon (ibex run) and copying the existing rows").ConfigureAwait(false);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(logFile, LogLevel.Information)).SetMinimumLevel(LogLevel.Information));
        await using var control = ControlDatabase.Open(controlDsn);
        using var daemonCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var daemon = new Supervisor(control, new DaemonOptions { PollInterval = TimeSpan.FromSeconds(1) }, loggers).RunAsync(daemonCts.Token);
        try
        {
            await WaitCaughtUpAsync(control, cancellationToken).ConfigureAwait(false);

            await Step($"Writing to alpha for {loadDuration.TotalSeconds:0} s (inserts, updates, deletes) — live status:").ConfigureAwait(false);
            using var loadCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var load = DemoWorkload.RunAsync(alpha.NpgsqlConnectionString("shop"), 1_000_000, 200, loadCts.Token);
            var end = DateTime.UtcNow + loadDuration;
            while (DateTime.UtcNow < end)
            {
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
                var st = (await new StatusReader(control).ReadAsync("demo", cancellationToken).ConfigureAwait(false)).Single();
                var l = st.Links[0];
                await Info($"  {l.Source} -> {l.Target}: {l.State,-9} lag {(l.LagSeconds is { } lag ? $"{lag * 1000:0} ms" : "-"),-8} rows applied {l.RowsApplied,7}  transactions {l.Transactions,6}").ConfigureAwait(false);
            }
            await loadCts.CancelAsync().ConfigureAwait(false);
            var written = await load.ConfigureAwait(false);
            await Info($"  {written} transactions written on alpha").ConfigureAwait(false);

            await Step("Waiting until beta has everything (ibex wait demo)").ConfigureAwait(false);
            await Ibex("wait", "demo", "--timeout", "60").ConfigureAwait(false);
            await Ibex("status", "demo").ConfigureAwait(false);
            var status = await new StatusReader(control).ReadAsync("demo", cancellationToken).ConfigureAwait(false);
            StatusCommand.Print(_out, status);

            await Step("Proving beta holds exactly alpha's rows").ConfigureAwait(false);
            var same = true;
            foreach (var table in new[] { "shop.customers", "shop.orders", "shop.\"Order Items\"" })
            {
                var a = await FingerprintAsync(alpha.NpgsqlConnectionString("shop"), table, cancellationToken).ConfigureAwait(false);
                var b = await FingerprintAsync(beta.NpgsqlConnectionString("shop"), table, cancellationToken).ConfigureAwait(false);
                same &= a == b;
                await Info($"  {table,-20} alpha {a.Rows,6} rows md5 {a.Hash[..12]}   beta {b.Rows,6} rows md5 {b.Hash[..12]}   {(a == b ? "identical" : "DIFFERENT")}").ConfigureAwait(false);
            }
            if (!same)
                throw new IbexException($"demo: beta differs from alpha; see the daemon log {logPath}");
            await Info("  beta is identical to alpha.").ConfigureAwait(false);
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
        await Step("Cleaning up: removing the sync (slot, publication, origin) and stopping the servers").ConfigureAwait(false);
        await Ibex("sync", "remove", "demo").ConfigureAwait(false);
        await Info($"done. Daemon log: {logPath}").ConfigureAwait(false);
        return 0;
    }

    async Task WaitCaughtUpAsync(ControlDatabase control, CancellationToken cancellationToken)
    {
        var behind = await new SyncWaiter(control).WaitAsync("demo", TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (behind.Count > 0)
            throw new IbexException($"demo: the initial copy did not finish within 60 s ({behind[0].State}: {behind[0].Error})");
        await Info("  initial copy done; streaming").ConfigureAwait(false);
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

    static string ConnectionStringShort(string dsn) => Connections.ConnectionString.Redact(dsn);

    Task Step(string text) => _out.WriteLineAsync(Environment.NewLine + "==> " + text);

    Task Info(string text) => _out.WriteLineAsync(text);

    Task Command(string text) => _out.WriteLineAsync("  $ " + text);
}
