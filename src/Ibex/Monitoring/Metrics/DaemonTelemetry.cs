using Ibex.Monitoring.Live;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ibex.Monitoring.Metrics;

/// <summary>
/// Exports the daemon's <see cref="DaemonInstruments"/> with OpenTelemetry: to Prometheus (<c>/metrics</c>, served by
/// the <see cref="Http.MonitoringServer"/> through the OpenTelemetry Prometheus exporter) and, with an OTLP endpoint,
/// metrics and the traces of <see cref="IbexActivities"/> over OTLP/HTTP (protobuf) to any collector.
/// </summary>
public sealed class DaemonTelemetry : IDisposable
{
    readonly DaemonInstruments _instruments;
    readonly TracerProvider? _tracer;

    public DaemonTelemetry(DaemonMonitor monitor, OtlpSettings? otlp)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _instruments = new DaemonInstruments(monitor);
        var meter = _instruments.Meter;
        var resource = ResourceBuilder.CreateDefault().AddService("ibex", serviceVersion: meter.Version);
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(DaemonInstruments.MeterName)
            // Another daemon in the same process (tests) has a meter of the same name: export this one's only.
            .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
            });
        if (otlp is not null)
        {
            metrics.AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, otlp, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            });
            _tracer = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(IbexActivities.SourceName)
                .AddOtlpExporter(exporter => Configure(exporter, otlp, "v1/traces"))
                .Build();
        }
        Meters = metrics.Build();
    }

    /// <summary>The provider holding the Prometheus exporter (and the OTLP one when configured).</summary>
    public MeterProvider Meters { get; }

    static void Configure(OtlpExporterOptions exporter, OtlpSettings otlp, string path)
    {
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = new Uri(otlp.Endpoint, path);
        // A collector that does not answer delays the daemon's stop (the last export) by at most this much.
        exporter.TimeoutMilliseconds = 5000;
    }

    public void Dispose()
    {
        // Disposing flushes: the last metrics and spans are sent before the daemon exits.
        Meters.Dispose();
        _tracer?.Dispose();
        _instruments.Dispose();
    }
}
