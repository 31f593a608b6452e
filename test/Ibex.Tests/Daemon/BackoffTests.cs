using Ibex.Daemon;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class BackoffTests
{
    static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_wait_doubles_per_failure_up_to_the_cap()
    {
        var waits = Enumerable.Range(0, 8).Select(n => Backoff.Delay(n, Second, Cap, 0.5).TotalSeconds).ToList();
        waits.ShouldBe([1, 2, 4, 8, 16, 30, 30, 30]);
        Backoff.Delay(10_000, Second, Cap, 0.5).ShouldBe(Cap);
    }

    [Fact]
    public void Jitter_spreads_the_wait_by_a_fifth_either_way_but_never_past_the_cap()
    {
        Backoff.Delay(2, Second, Cap, 0).TotalSeconds.ShouldBe(3.2, 1e-9);
        Backoff.Delay(2, Second, Cap, 0.999999).TotalSeconds.ShouldBe(4.8, 1e-5);
        Backoff.Delay(9, Second, Cap, 0.999999).ShouldBe(Cap);
        Backoff.Delay(9, Second, Cap, 0).TotalSeconds.ShouldBe(24, 1e-9);
    }

    [Fact]
    public void After_a_reset_the_next_failure_waits_the_initial_delay_again()
    {
        var b = new Backoff(Second, Cap);
        for (var i = 0; i < 5; i++)
            b.Next();
        b.Next().ShouldBeGreaterThan(TimeSpan.FromSeconds(20));
        b.Reset();
        b.Next().ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public void Time_alone_never_resets_it()
    {
        // The old rule (reset after a quiet stretch) made the third restart in a row slower than the first; now only a
        // link that works again starts the sequence over, so repeated failures keep their growing waits.
        var b = new Backoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(4));
        b.Next();
        Thread.Sleep(20);
        b.Failures.ShouldBe(1);
        b.Next().ShouldBeGreaterThan(TimeSpan.FromMilliseconds(1.5));
    }
}
