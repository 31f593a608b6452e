using Ibex.Control;
using Ibex.Daemon;
using Ibex.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class SupervisedJobTests(SharedClusters clusters)
{
    [Fact]
    public async Task A_failed_job_is_recorded_as_an_event_and_started_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters);
        await using var control = ControlDatabase.Open(s.ControlDsn);
        var runs = 0;
        var job = new SupervisedJob("jobs", "retention guard", _ =>
        {
            // Fails the first time (as an unexpected exception would), then finishes normally.
            if (Interlocked.Increment(ref runs) == 1)
                throw new InvalidOperationException("guard state broken");
            return Task.CompletedTask;
        }, control, NullLogger.Instance);

        await job.RunAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        runs.ShouldBe(2);
        job.Failures.ShouldBe(1);
        await using var conn = new NpgsqlConnection(s.ControlCluster.NpgsqlConnectionString(s.ControlDatabase));
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT string_agg(message, '|') FROM ibex.event WHERE sync = 'jobs' AND level = 'error'", conn);
        var events = await cmd.ExecuteScalarAsync(ct) as string;
        events.ShouldNotBeNull();
        events.ShouldContain("retention guard failed");
        events.ShouldContain("guard state broken");
    }

    [Fact]
    public async Task Cancelling_ends_a_job_quietly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var s = await Scenario.CreateAsync(clusters);
        await using var control = ControlDatabase.Open(s.ControlDsn);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var job = new SupervisedJob("jobs", "kick runner", token => Task.Delay(Timeout.Infinite, token), control, NullLogger.Instance);
        var running = job.RunAsync(stop.Token);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10), ct);
        job.Failures.ShouldBe(0);
    }
}
