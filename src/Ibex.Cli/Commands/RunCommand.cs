using System.CommandLine;
using Ibex.Control;
using Ibex.Daemon;
using Ibex.Monitoring.Metrics;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex run</c>: the daemon, in the foreground, until Ctrl+C or SIGTERM.</summary>
public static class RunCommand
{
    public static Command Build(CliContext context)
    {
        var syncs = new Option<string[]>("--sync") { Description = "Run only these syncs (repeatable); default: all" };
        var memory = new Option<int>("--queue-memory-mb") { Description = "Memory per target queue before changes spill to a temporary file", DefaultValueFactory = _ => 32 };
        var spillDir = new Option<string?>("--spill-dir") { Description = "Folder for spill files (default: the system temp folder)" };
        var heartbeat = new Option<string>("--heartbeat") { Description = "Multi-master: how often each source emits a heartbeat (moves idle links' watermarks)", DefaultValueFactory = _ => "10s" };
        var tombstones = new Option<string>("--tombstone-retention") { Description = "Multi-master: keep tombstones this long after every node has passed them", DefaultValueFactory = _ => "1m" };
        var http = new Option<string?>("--http") { Description = "Serve the dashboard, /metrics (Prometheus) and /healthz on ADDRESS:PORT, e.g. 127.0.0.1:9187" };
        var otlp = new Option<string?>("--otlp-endpoint") { Description = "Send metrics and traces over OTLP/HTTP (protobuf) to this collector address, e.g. http://127.0.0.1:4318" };
        var otlpInterval = new Option<string>("--otlp-interval") { Description = "With --otlp-endpoint: how often metrics are sent", DefaultValueFactory = _ => "15s" };
        var copyJobs = new Option<int>("--copy-jobs") { Description = "Initial copy: streams at once per source (tables, and ranges of a large table)", DefaultValueFactory = _ => 4 };
        var copyRange = new Option<int>("--copy-range-mb") { Description = "Initial copy: tables larger than this are split into ranges of at most this size (about eight per job over the whole copy, at least 16 MB), copied in parallel and resumable", DefaultValueFactory = _ => 256 };
        var cmd = new Command("run", "Run the replication daemon in the foreground") { syncs, memory, spillDir, heartbeat, tombstones, copyJobs, copyRange, http, otlp, otlpInterval };
        cmd.SetAction(async (parse, ct) =>
        {
            var verbose = parse.GetValue(CommonOptions.Verbose);
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(context.Error, verbose ? LogLevel.Debug : LogLevel.Information)).SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information).AddFilter("Npgsql", LogLevel.Warning));
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            var options = new DaemonOptions
            {
                Syncs = parse.GetValue(syncs) ?? [],
                Heartbeat = Duration.Parse(parse.GetValue(heartbeat)!, "--heartbeat"),
                TombstoneMargin = Duration.Parse(parse.GetValue(tombstones)!, "--tombstone-retention"),
                TombstonePurgeInterval = TimeSpan.FromSeconds(Math.Clamp(Duration.Parse(parse.GetValue(tombstones)!, "--tombstone-retention").TotalSeconds / 2, 1, 30)),
                Copy = new Copy.CopyOptions
                {
                    Jobs = Math.Max(1, parse.GetValue(copyJobs)),
                    RangeBytes = Math.Max(1, parse.GetValue(copyRange)) * (1L << 20),
                },
                Apply = new Apply.ApplyOptions
                {
                    QueueMemoryBytes = Math.Max(1, parse.GetValue(memory)) * (1L << 20),
                    SpillDirectory = parse.GetValue(spillDir) ?? Path.GetTempPath(),
                },
            };
            var endpoint = parse.GetValue(http) is { } address ? Monitoring.Http.HttpEndpoint.Parse(address) : null;
            var collector = parse.GetValue(otlp) is { } url ? OtlpSettings.Parse(url, Duration.Parse(parse.GetValue(otlpInterval)!, "--otlp-interval")) : null;
            loggers.CreateLogger("Ibex.Daemon").LogInformation("settings: queue-memory-mb={QueueMemory} (all queues {QueueTotal} MB) spill-dir={SpillDir} heartbeat={Heartbeat} tombstone-retention={Tombstones} copy-jobs={CopyJobs} copy-range-mb={CopyRange} http={Http} otlp-endpoint={Otlp} sync={Syncs} inline-socket-completions={Inline}",
                options.Apply.QueueMemoryBytes >> 20, Changes.QueueMemory.Process.LimitBytes >> 20, options.Apply.SpillDirectory, parse.GetValue(heartbeat), parse.GetValue(tombstones), options.Copy.Jobs, options.Copy.RangeBytes >> 20, parse.GetValue(http) ?? "off", collector?.Endpoint.ToString() ?? "off", options.Syncs.Count == 0 ? "all" : string.Join(",", options.Syncs), Changes.InlineSocketCompletions.Enabled ? "on" : "off");
            var supervisor = new Supervisor(control, options, loggers);
            var monitor = endpoint is null && collector is null ? null
                : new Monitoring.Live.DaemonMonitor(control, supervisor, new Monitoring.Live.MonitorOptions(), loggers.CreateLogger("Ibex.Monitoring"));
            using var telemetry = monitor is null ? null : new DaemonTelemetry(monitor, collector);
            await using var server = endpoint is null ? null : await Monitoring.Http.MonitoringServer.StartAsync(endpoint, monitor!, telemetry!, loggers, ct).ConfigureAwait(false);
            if (server is not null)
                loggers.CreateLogger("Ibex.Http").LogInformation("dashboard, /metrics and /healthz at {Address}", server.Address);
            if (collector is not null)
                loggers.CreateLogger("Ibex.Telemetry").LogInformation("metrics every {Interval} and traces to {Endpoint} (OTLP/HTTP)", parse.GetValue(otlpInterval), collector.Endpoint);
            // The HTTP server samples while it is up; with OTLP alone, the exported metrics need the same sampling.
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sampler = server is null && monitor is not null ? Task.Run(() => monitor.RunAsync(sampling.Token), CancellationToken.None) : Task.CompletedTask;
            try
            {
                await supervisor.RunAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
