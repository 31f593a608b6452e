using Ibex.Daemon;
using NpgsqlTypes;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class SourceWalClockTests
{
    static readonly DateTime T0 = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    static NpgsqlLogSequenceNumber Lsn(ulong v) => new(v);

    [Fact]
    public void No_sample_yet_means_unknown()
    {
        var clock = new SourceWalClock();
        clock.LagSeconds(Lsn(5), T0).ShouldBeNull();
        clock.LagBytes(Lsn(5)).ShouldBeNull();
    }

    [Fact]
    public void A_target_with_everything_has_no_lag_even_when_idle_for_long()
    {
        var clock = new SourceWalClock();
        clock.Sample(Lsn(100), T0);
        clock.Sample(Lsn(100), T0.AddMinutes(10));
        clock.LagSeconds(Lsn(100), T0.AddMinutes(10)).ShouldBe(0);
        clock.LagBytes(Lsn(100)).ShouldBe(0);
    }

    [Fact]
    public void Lag_grows_from_the_first_sample_the_target_has_not_reached_whatever_the_applier_is_doing()
    {
        var clock = new SourceWalClock();
        clock.Sample(Lsn(100), T0);
        clock.Sample(Lsn(200), T0.AddSeconds(1));
        clock.Sample(Lsn(300), T0.AddSeconds(2));
        // Stalled at 150: behind since the sample at T0+1 s.
        clock.LagSeconds(Lsn(150), T0.AddSeconds(5)).ShouldBe(4);
        clock.LagSeconds(Lsn(150), T0.AddSeconds(9)).ShouldBe(8);
        clock.LagBytes(Lsn(150)).ShouldBe(150);
        // A source that stops writing does not make a stalled target look caught up.
        clock.Sample(Lsn(300), T0.AddSeconds(20));
        clock.LagSeconds(Lsn(150), T0.AddSeconds(20)).ShouldBe(19);
        clock.LagSeconds(Lsn(300), T0.AddSeconds(20)).ShouldBe(0);
    }

    [Fact]
    public void After_a_restart_a_target_applying_an_old_transaction_shows_its_age_not_the_daemons_uptime()
    {
        var clock = new SourceWalClock();
        clock.Sample(Lsn(900), T0);
        // Started at T0, 5 s ago; the transaction being applied committed 6 minutes before that.
        clock.LagSeconds(Lsn(150), T0.AddSeconds(5)).ShouldBe(5);
        clock.LagSeconds(Lsn(150), T0.AddSeconds(5), T0.AddMinutes(-6)).ShouldBe(365);
        // Never less than the samples say, nor anything for a target that has everything.
        clock.LagSeconds(Lsn(150), T0.AddSeconds(5), T0.AddSeconds(4)).ShouldBe(5);
        clock.LagSeconds(Lsn(900), T0.AddSeconds(5), T0.AddMinutes(-6)).ShouldBe(0);
    }

    [Fact]
    public void Trimming_keeps_what_the_slowest_link_needs()
    {
        var clock = new SourceWalClock();
        for (var i = 1; i <= 10; i++)
            clock.Sample(Lsn((ulong)i * 100), T0.AddSeconds(i));
        clock.Trim(Lsn(550));
        clock.LagSeconds(Lsn(550), T0.AddSeconds(12)).ShouldBe(6);
        clock.LagSeconds(Lsn(1000), T0.AddSeconds(12)).ShouldBe(0);
        clock.Latest.ShouldBe(Lsn(1000));
    }
}
