using Microsoft.Extensions.Logging;

namespace Ibex.Daemon;

/// <summary>
/// A warning about a condition that persists (the control database away, say): logged when it starts, then once per
/// <see cref="Every"/> with how often it recurred, and once more when it clears, instead of at every attempt.
/// </summary>
public sealed class RepeatedWarning(ILogger log)
{
    readonly object _lock = new();
    DateTime? _lastLogged;
    int _repeats;

    public TimeSpan Every { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>True while the condition lasts (since the first <see cref="Report"/>, until <see cref="Clear"/>).</summary>
    public bool Active
    {
        get
        {
            lock (_lock)
                return _lastLogged is not null;
        }
    }

    public void Report(string message)
    {
        var now = DateTime.UtcNow;
        int repeats;
        lock (_lock)
        {
            if (_lastLogged is { } last && now - last < Every)
            {
                _repeats++;
                return;
            }
            repeats = _repeats;
            _repeats = 0;
            _lastLogged = now;
        }
        if (repeats == 0)
            log.LogWarning("{Message}", message);
        else
            log.LogWarning("{Message} (still, {Repeats} more time(s) since the last warning)", message, repeats);
    }

    /// <summary>The condition is over: says so once, if it was reported.</summary>
    public void Clear(string message)
    {
        lock (_lock)
        {
            if (_lastLogged is null)
                return;
            _lastLogged = null;
            _repeats = 0;
        }
        log.LogInformation("{Message}", message);
    }
}
