using System.Globalization;

namespace Ibex.Cli;

/// <summary>Durations as operators write them: <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>250ms</c>, or plain seconds.</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : t.EndsWith('h') ? (t[..^1], 3600.0)
            : t.EndsWith('d') ? (t[..^1], 86400.0)
            : (t, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            value = TimeSpan.FromSeconds(n * unit);
            return true;
        }
        value = default;
        return false;
    }

    public static TimeSpan Parse(string text, string option)
        => TryParse(text, out var v) ? v : throw new IbexException($"{option} '{text}' is not a duration; write e.g. 30s, 5m, 1h");
}
