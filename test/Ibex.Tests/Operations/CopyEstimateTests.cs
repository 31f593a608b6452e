using Ibex.Cli;
using Ibex.Monitoring;
using Shouldly;

namespace Ibex.Tests.Operations;

public class CopyEstimateTests
{
    static readonly DateTime T0 = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Percent_comes_from_rows_when_known_else_bytes_and_is_100_only_when_done()
    {
        CopyEstimate.Percent(false, 350_000, 1_000_000, 1, 1000).ShouldBe(35);
        CopyEstimate.Percent(false, 10, null, 250, 1000).ShouldBe(25);
        CopyEstimate.Percent(false, 10, null, 250, null).ShouldBeNull();
        // Past a low estimate: nearly done, never 100 before the end.
        CopyEstimate.Percent(false, 1_200_000, 1_000_000, 0, 0).ShouldBe(99.9);
        CopyEstimate.Percent(true, 5, 1_000_000, 0, 0).ShouldBe(100);
    }

    [Fact]
    public void Rate_and_time_left()
    {
        CopyEstimate.Rate(1000, TimeSpan.FromSeconds(4)).ShouldBe(250);
        CopyEstimate.Rate(1000, TimeSpan.Zero).ShouldBeNull();
        CopyEstimate.Remaining(350_000, 1_000_000, 50_000).ShouldBe(TimeSpan.FromSeconds(13));
        CopyEstimate.Remaining(350_000, null, 50_000).ShouldBeNull();
        CopyEstimate.Remaining(350_000, 1_000_000, 0).ShouldBeNull();
        CopyEstimate.Remaining(1_200_000, 1_000_000, 50_000).ShouldBeNull();
        CopyEstimate.Format(TimeSpan.FromSeconds(42)).ShouldBe("42s");
        CopyEstimate.Format(TimeSpan.FromSeconds(185)).ShouldBe("3m05s");
        CopyEstimate.Format(TimeSpan.FromMinutes(127)).ShouldBe("2h07m");
    }

    [Fact]
    public void A_links_total_sums_its_tables_and_takes_the_rate_of_those_being_copied()
    {
        var tables = new[]
        {
            new TableCopyProgress("b", "public", "done", "done", 300, 290, 3000, 8192, T0, T0.AddSeconds(1), null),
            new TableCopyProgress("b", "public", "big", "copying", 350_000, 1_000_000, 40_000_000, 130_000_000, T0, null, null),
            new TableCopyProgress("b", "public", "next", "pending", 0, 100_000, 0, 13_000_000, null, null, null),
        };
        var c = CopyProgress.From(tables, T0.AddSeconds(10))!;
        c.TablesDone.ShouldBe(1);
        c.TablesTotal.ShouldBe(3);
        c.RowsCopied.ShouldBe(350_300);
        c.RowsExpected.ShouldBe(1_100_300);
        c.RowsPerSecond.ShouldBe(35_000);
        c.EtaSeconds.ShouldBe(22);
        c.Percent!.Value.ShouldBe(31.8, 0.05);
        c.Tables.Single(t => t.Table == "big").EtaSeconds.ShouldBe(19);
        c.Tables.Single(t => t.Table == "next").RowsPerSecond.ShouldBeNull();
        // A table never analyzed: the rows expected in all are not known, so neither is the time left.
        var unknown = CopyProgress.From([tables[1] with { RowsExpected = null }], T0.AddSeconds(10))!;
        unknown.RowsExpected.ShouldBeNull();
        unknown.EtaSeconds.ShouldBeNull();
        unknown.Percent!.Value.ShouldBe(30.8, 0.05);
        CopyProgress.From([], T0).ShouldBeNull();
    }

    [Fact]
    public void The_wait_bar_fills_in_proportion()
    {
        WaitProgress.Bar(35, 20).ShouldBe("[#######-------------]");
        WaitProgress.Bar(100, 4).ShouldBe("[####]");
        WaitProgress.Bar(null, 4).ShouldBe("[----]");
    }
}
