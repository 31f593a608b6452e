using System.Net;
using Ibex.Cli;
using Ibex.Control;
using Ibex.Daemon;
using Ibex.Monitoring.Http;
using Ibex.Monitoring.Live;
using Microsoft.Extensions.Logging;

namespace Ibex.Tests.Operations;

/// <summary>An in-process daemon (Supervisor) with its monitoring HTTP server on 127.0.0.1 and a free port, sampling every second.</summary>
public sealed class MonitoredDaemon : IAsyncDisposable
{
    readonly StringWriter _log = new();
    readonly CancellationTokenSource _cts = new();
    ILoggerFactory _loggers = null!;
    ControlDatabase _control = null!;
    MonitoringServer _server = null!;
    Ibex.Monitoring.Metrics.DaemonTelemetry _telemetry = null!;
    Task _run = Task.CompletedTask;

    public Uri Address => _server.Address;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Log => _log.ToString();

    public static async Task<MonitoredDaemon> StartAsync(string controlDsn)
    {
        var d = new MonitoredDaemon();
        d._loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(TextWriter.Synchronized(d._log), LogLevel.Debug)).SetMinimumLevel(LogLevel.Debug).AddFilter("Npgsql", LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning));
        d._control = ControlDatabase.Open(controlDsn);
        var supervisor = new Supervisor(d._control, new DaemonOptions { PollInterval = TimeSpan.FromSeconds(2) }, d._loggers);
        var monitor = new DaemonMonitor(d._control, supervisor, new MonitorOptions { SampleInterval = TimeSpan.FromSeconds(1) }, d._loggers.CreateLogger("Ibex.Monitoring"));
        d._telemetry = new Ibex.Monitoring.Metrics.DaemonTelemetry(monitor, otlp: null);
        d._server = await MonitoringServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), monitor, d._telemetry, d._loggers, TestContext.Current.CancellationToken);
        d._run = Task.Run(() => supervisor.RunAsync(d._cts.Token));
        return d;
    }

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(Address, path), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Content.Headers.ContentType?.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
        }
        await _server.DisposeAsync();
        _telemetry.Dispose();
        await _control.DisposeAsync();
        _loggers.Dispose();
        Http.Dispose();
        _cts.Dispose();
    }
}
