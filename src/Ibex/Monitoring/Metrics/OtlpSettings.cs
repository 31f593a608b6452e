namespace Ibex.Monitoring.Metrics;

/// <summary>
/// <c>--otlp-endpoint URL</c>: the base address of an OTLP/HTTP receiver (a collector's port 4318); metrics go to
/// <c>URL/v1/metrics</c> every <see cref="Interval"/>, traces to <c>URL/v1/traces</c>.
/// </summary>
public sealed record OtlpSettings(Uri Endpoint, TimeSpan Interval)
{
    public static OtlpSettings Parse(string text, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query))
            throw new IbexException($"--otlp-endpoint '{text}' is not an http(s) URL; give the base address of an OTLP/HTTP receiver, e.g. --otlp-endpoint http://127.0.0.1:4318");
        if (interval < TimeSpan.FromMilliseconds(100))
            throw new IbexException("--otlp-interval must be at least 100ms; e.g. --otlp-interval 15s");
        // The signal paths are added to the base: keep a path prefix of its own (http://host/otel/ → /otel/v1/metrics).
        return new OtlpSettings(uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/"), interval);
    }
}
