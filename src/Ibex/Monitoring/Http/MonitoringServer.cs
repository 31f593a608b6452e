using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ibex.Monitoring.Live;
using Ibex.Monitoring.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Ibex.Monitoring.Http;

/// <summary>
/// <c>ibex run --http ADDRESS:PORT</c>: Kestrel bound to that one address, serving <c>/metrics</c> (Prometheus, written by
/// the OpenTelemetry Prometheus exporter from the daemon's <see cref="DaemonInstruments"/>),
/// <c>/healthz</c> (200 when every active sync streams, else 503), <c>/api/status</c> (JSON) and the dashboard
/// (<c>/</c>, embedded files only). Runs the <see cref="DaemonMonitor"/> sampling loop while it is up.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.Default,
    };

    readonly KestrelServer _server;
    readonly ServiceProvider _services;
    readonly CancellationTokenSource _cts = new();
    readonly Task _sampler;
    readonly ILogger _log;
    readonly RequestDelegate _metrics;

    MonitoringServer(KestrelServer server, ServiceProvider services, DaemonMonitor monitor, MeterProvider meters, Uri address, ILogger log)
    {
        _server = server;
        _services = services;
        var metrics = new ApplicationBuilder(services);
        metrics.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: _ => true, path: null!, configureBranchedPipeline: null!, optionsName: null!);
        _metrics = metrics.Build();
        Monitor = monitor;
        Address = address;
        _log = log;
        _sampler = Task.Run(() => monitor.RunAsync(_cts.Token));
    }

    public DaemonMonitor Monitor { get; }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:9187/</c> (the real port when 0 was asked).</summary>
    public Uri Address { get; }

    public static async Task<MonitoringServer> StartAsync(IPEndPoint endpoint, DaemonMonitor monitor, DaemonTelemetry telemetry, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(loggers);
        var quiet = new QuietLoggerFactory(loggers);
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(quiet).AddOptions().BuildServiceProvider();
        var options = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };
        options.Listen(endpoint);
        var server = new KestrelServer(Options.Create(options), new SocketTransportFactory(Options.Create(new SocketTransportOptions()), quiet), quiet);
        MonitoringServer? self = null;
        try
        {
            // The handler needs the instance; requests cannot arrive before StartAsync returns its address.
            var app = new HttpApplication(context => self is null ? Task.CompletedTask : self.HandleAsync(context));
            await server.StartAsync(app, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            server.Dispose();
            await services.DisposeAsync().ConfigureAwait(false);
            throw new IbexException($"--http {endpoint}: cannot listen there ({e.Message}); pick a free port or an address of this machine", e);
        }
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{endpoint}";
        self = new MonitoringServer(server, services, monitor, telemetry.Meters, new Uri(bound.EndsWith('/') ? bound : bound + "/"), loggers.CreateLogger("Ibex.Http"));
        return self;
    }

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var ct = context.RequestAborted;
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Cache-Control"] = "no-store";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }
        try
        {
            var path = request.Path.Value ?? "/";
            switch (path)
            {
                case "/metrics":
                    // A fresh reading first: the instruments' callbacks report what the monitor read last.
                    await Monitor.StatusAsync(ct).ConfigureAwait(false);
                    // The exporter collects synchronously: on the thread pool, never on the socket engine's thread
                    // (inline socket completions), which the daemon's connections need to make progress.
                    await Task.Run(() => _metrics(context), ct).ConfigureAwait(false);
                    break;
                case "/healthz":
                {
                    var status = await Monitor.StatusAsync(ct).ConfigureAwait(false);
                    var healthy = StatusDocument.Healthy(status, Monitor.ControlUp);
                    await WriteJsonAsync(response, healthy ? 200 : 503, StatusDocument.Health(status, Monitor.ControlUp), ct).ConfigureAwait(false);
                    break;
                }
                case "/api/status":
                {
                    var status = await Monitor.StatusAsync(ct).ConfigureAwait(false);
                    await WriteJsonAsync(response, 200, StatusDocument.Build(Monitor, status), ct).ConfigureAwait(false);
                    break;
                }
                default:
                    var file = WebAssets.Find(path == "/" ? "index.html" : path.TrimStart('/'));
                    if (file is null)
                    {
                        await WriteAsync(response, 404, "text/plain; charset=utf-8", "not found; try /, /metrics, /healthz or /api/status\n", ct).ConfigureAwait(false);
                        break;
                    }
                    response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
                    response.StatusCode = 200;
                    response.ContentType = file.Value.ContentType;
                    response.ContentLength = file.Value.Content.Length;
                    if (!HttpMethods.IsHead(request.Method))
                        await response.Body.WriteAsync(file.Value.Content, ct).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IbexException or Npgsql.NpgsqlException or InvalidOperationException or IOException)
        {
            _log.LogWarning("http {Path}: {Error}", request.Path.Value, e.Message);
            if (!response.HasStarted)
                await WriteAsync(response, 500, "text/plain; charset=utf-8", "internal error: " + e.Message + "\n", CancellationToken.None).ConfigureAwait(false);
        }
    }

    static Task WriteJsonAsync(HttpResponse response, int status, object value, CancellationToken cancellationToken)
        => WriteAsync(response, status, "application/json; charset=utf-8", JsonSerializer.Serialize(value, JsonOptions), cancellationToken);

    static async Task WriteAsync(HttpResponse response, int status, string contentType, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sampler.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _server.StopAsync(stop.Token).ConfigureAwait(false);
        _server.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }
}
