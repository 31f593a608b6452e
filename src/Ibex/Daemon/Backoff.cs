namespace Ibex.Daemon;

/// <summary>
/// Exponential backoff with jitter for reconnecting: 1 s, 2 s, 4 s … up to a cap. It starts over only when told
/// (<see cref="Reset"/>): when the part that failed is working again, not after some time has passed.
/// Safe to use from several tasks.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    readonly object _lock = new();
    int _failures;

    public int Failures
    {
        get
        {
            lock (_lock)
                return _failures;
        }
    }

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        int failures;
        lock (_lock)
            failures = _failures++;
        return Delay(failures, initial, max, Random.Shared.NextDouble());
    }

    /// <summary>The part works again: the next failure waits the initial delay.</summary>
    public void Reset()
    {
        lock (_lock)
            _failures = 0;
    }

    /// <summary>
    /// The wait after <paramref name="failuresBefore"/> earlier failures in a row: <paramref name="initial"/> doubled
    /// per failure up to <paramref name="max"/>, then spread by ±20 % (<paramref name="random"/> in [0, 1)) so that
    /// many links retrying together do not stay in step; never more than <paramref name="max"/>.
    /// </summary>
    public static TimeSpan Delay(int failuresBefore, TimeSpan initial, TimeSpan max, double random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failuresBefore);
        var delay = initial * Math.Pow(2, Math.Min(failuresBefore, 16));
        if (delay > max)
            delay = max;
        delay *= 0.8 + (Math.Clamp(random, 0, 1) * 0.4);
        return delay > max ? max : delay;
    }
}
