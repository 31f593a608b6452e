using Shouldly;

namespace Ibex.Tests.Operations;

/// <summary>Bounded polling: the only way these tests wait for something to happen.</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="probe"/> until it returns a value satisfying <paramref name="done"/>, or fails after <paramref name="seconds"/>.
    /// The pause between probes grows to <paramref name="maxDelayMs"/> (lower it to catch a short-lived state).
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, int seconds, Func<T, string> describe, int maxDelayMs = 1000)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var delay = Math.Min(100, maxDelayMs);
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException($"gave up after {seconds}s: {describe(value)}");
            await Task.Delay(delay, TestContext.Current.CancellationToken);
            delay = Math.Min(maxDelayMs, delay * 2);
        }
    }
}
