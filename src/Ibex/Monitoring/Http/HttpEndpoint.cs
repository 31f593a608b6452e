using System.Globalization;
using System.Net;

namespace Ibex.Monitoring.Http;

/// <summary>Parses <c>--http ADDRESS:PORT</c>: an IPv4 or IPv6 address (<c>[::1]:9187</c>) or <c>localhost</c>, and a port (0: any free port).</summary>
public static class HttpEndpoint
{
    public static IPEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
            t = "127.0.0.1:" + t["localhost:".Length..];
        var colon = t.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(t.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535
            || !IPEndPoint.TryParse(t, out var endpoint))
            throw new IbexException($"--http '{text}' is not ADDRESS:PORT; give e.g. --http 127.0.0.1:9187 (the address to listen on, never all interfaces by default)");
        return endpoint;
    }
}
