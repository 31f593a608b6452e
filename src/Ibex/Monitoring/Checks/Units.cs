using System.Globalization;

namespace Ibex.Monitoring.Checks;

/// <summary>Parses durations (<c>30s</c>, <c>5m</c>, <c>1h</c>, <c>250ms</c>, plain seconds) and sizes (<c>10kB</c>, <c>512MB</c>, <c>1GB</c>, plain bytes; 1 kB = 1024 bytes, as in PostgreSQL).</summary>
public static class Units
{
    static readonly (string Suffix, double Factor)[] DurationUnits = [("ms", 0.001), ("s", 1), ("m", 60), ("min", 60), ("h", 3600), ("d", 86400)];

    static readonly (string Suffix, double Factor)[] SizeUnits = [("b", 1), ("kb", 1024), ("k", 1024), ("mb", 1 << 20), ("m", 1 << 20), ("gb", 1 << 30), ("g", 1 << 30), ("tb", 1L << 40), ("t", 1L << 40)];

    /// <summary>Seconds, or null when <paramref name="text"/> is not a duration.</summary>
    public static double? Seconds(string text) => Parse(text, DurationUnits);

    /// <summary>Bytes, or null when <paramref name="text"/> is not a size.</summary>
    public static double? Bytes(string text) => Parse(text, SizeUnits) is { } b ? Math.Floor(b) : null;

    static double? Parse(string text, (string Suffix, double Factor)[] units)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        var end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] == '.'))
            end++;
        if (end == 0 || !double.TryParse(t.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return null;
        var suffix = t[end..].Trim();
        if (suffix.Length == 0)
            return number;
        foreach (var (s, f) in units)
            if (s == suffix)
                return number * f;
        return null;
    }
}
