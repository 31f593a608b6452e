using Ibex.Apply;
using Ibex.Control.Model;
using Ibex.Daemon;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class LinkRuntimeTests
{
    static TargetApplier Applier(LinkRuntime link) => new("t", new NpgsqlConnectionStringBuilder(), "o", new ApplyOptions(), link.Counters, NullLogger.Instance);

    [Fact]
    public async Task A_failure_counts_once_and_the_same_error_at_every_retry_is_recorded_once_until_the_link_works_again()
    {
        var link = new LinkRuntime(new LinkRecord("s", "t", "o"));
        await using var first = Applier(link);
        link.Attach(first);
        link.Fail(new ApplyException("target 't': rejected", false)).ShouldBeSameAs(first);
        link.Failures.ShouldBe(1);
        link.ErrorIsNew.ShouldBeTrue();
        link.State.ShouldBe("error");
        link.Backoff.Next();
        link.Backoff.Next();

        // Retried, and rejected again at once: counted, not recorded again, and the backoff keeps growing.
        await using var second = Applier(link);
        link.Attach(second);
        link.CheckRecovered(DateTime.UtcNow).ShouldBeFalse();
        link.Fail(new ApplyException("target 't': rejected", false));
        link.Failures.ShouldBe(2);
        link.ErrorIsNew.ShouldBeFalse();
        link.Backoff.Failures.ShouldBe(2);

        // A different error is news.
        link.Fail(new ApplyException("target 't': down", true));
        link.ErrorIsNew.ShouldBeTrue();

        // Working again (attached past the healthy stretch): the backoff starts over, and an old error is news again.
        await using var third = Applier(link);
        link.Attach(third);
        link.CheckRecovered(DateTime.UtcNow + LinkRuntime.HealthyAfter).ShouldBeTrue();
        link.CheckRecovered(DateTime.UtcNow + LinkRuntime.HealthyAfter).ShouldBeFalse();
        link.Backoff.Failures.ShouldBe(0);
        link.Fail(new ApplyException("target 't': down", true));
        link.ErrorIsNew.ShouldBeTrue();
    }
}
