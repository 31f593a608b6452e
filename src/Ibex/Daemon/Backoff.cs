namespace Ibex.Daemon;

/// <summary>Exponential backoff with jitter for reconnecting: 1 s, 2 s, 4 s … up to a cap; reset after a healthy period.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    int _failures;
    DateTime _lastFailure;

    public int Failures => _failures;

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        // A long healthy stretch since the last failure starts the sequence over.
        if (_failures > 0 && DateTime.UtcNow - _lastFailure > max * 4)
            _failures = 0;
        _lastFailure = DateTime.UtcNow;
        var delay = initial * Math.Pow(2, Math.Min(_failures++, 16));
        if (delay > max)
            delay = max;
        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    public void Reset() => _failures = 0;
}
