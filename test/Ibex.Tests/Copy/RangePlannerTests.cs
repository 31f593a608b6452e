using Ibex.Copy;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>How a large table's copy is split into ranges (no server needed).</summary>
public class RangePlannerTests
{
    [Theory]
    [InlineData(0, 100, 1)]
    [InlineData(100, 100, 1)]
    [InlineData(101, 100, 2)]
    [InlineData(1000, 100, 10)]
    public void The_size_gives_the_number_of_ranges(long bytes, long rangeBytes, int count)
        => RangePlanner.Count(bytes, rangeBytes).ShouldBe(count);

    [Theory]
    // W5 at full size: a 3 GB copy with 4 jobs gets ranges of 96 MB (32 over the copy) instead of 256 MB, so a copy
    // killed midway re-copies about half a range per job; its 1.7 GB table is 19 ranges, a 285 MB one 3.
    [InlineData(3L << 30, 4, 256, (3L << 30) / 32, 1740L << 20, 19)]
    [InlineData(3L << 30, 4, 256, (3L << 30) / 32, 285L << 20, 3)]
    // A huge copy keeps --copy-range-mb as the ceiling.
    [InlineData(1L << 40, 4, 256, 256L << 20, 10L << 30, 40)]
    // W3: a 150 MB table alone, under --copy-range-mb: still one stream (16 MB is only the floor of the size).
    [InlineData(150L << 20, 4, 256, 16L << 20, 150L << 20, 1)]
    // A --copy-range-mb under 16 is taken as it is (tests use 1 MB).
    [InlineData(10L << 20, 4, 1, 1L << 20, 10L << 20, 10)]
    public void Ranges_get_smaller_when_the_copy_is_large_relative_to_the_jobs(long copyBytes, int jobs, int rangeMb, long rangeBytes, long tableBytes, int ranges)
    {
        var options = new CopyOptions { Jobs = jobs, RangeBytes = (long)rangeMb << 20 };
        var size = options.RangeBytesFor(copyBytes);
        size.ShouldBe(rangeBytes);
        RangePlanner.Count(tableBytes, options.RangeBytes, size).ShouldBe(ranges);
    }

    [Fact]
    public void Key_ranges_are_adjacent_open_at_both_ends_and_hold_every_key_once()
    {
        // Quantiles of a sample: repeated values (a skewed key) and nulls give no empty range.
        var ranges = RangePlanner.FromQuantiles(["200", "200", "450", null, "700", "700"]);
        ranges.Select(r => (r.Lower, r.Upper)).ShouldBe([(null, "200"), ("200", "450"), ("450", "700"), ("700", null)]);
        ranges.Select(r => r.Number).ShouldBe([0, 1, 2, 3]);
        for (var k = -1000L; k < 2000; k += 7)
            ranges.Count(r => Holds(r, k)).ShouldBe(1, $"key {k}");
        RangePlanner.FromQuantiles([]).Count.ShouldBe(1);
    }

    [Fact]
    public void Keys_are_ordered_as_postgres_orders_them()
    {
        // Bytewise for uuids, as PostgreSQL compares them (System.Guid's own order differs in its first groups).
        RangeKeyOrder.Compare(RangeKind.Uuid, "3fffffff-ffff-ffff-ffff-ffffffffffff", "40000000-0000-0000-0000-000000000000").ShouldBeLessThan(0);
        RangeKeyOrder.Compare(RangeKind.Uuid, "00000001-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001").ShouldBeGreaterThan(0);
        RangeKeyOrder.Compare(RangeKind.Integer, "-5", "3").ShouldBeLessThan(0);
        RangeKeyOrder.Compare(RangeKind.Integer, "10", "9").ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Block_ranges_leave_the_last_open_for_rows_beyond_the_planned_size()
    {
        var plan = new RangePlan(RangeKind.Block, null, RangePlanner.BlockRanges(1000, 3));
        plan.Ranges.Select(r => (r.Lower, r.Upper)).ShouldBe([(null, "333"), ("333", "666"), ("666", null)]);
        plan.Predicate(plan.Ranges[0]).ShouldBe("ctid < '(333,0)'::tid");
        plan.Predicate(plan.Ranges[1]).ShouldBe("ctid >= '(333,0)'::tid AND ctid < '(666,0)'::tid");
        plan.Predicate(plan.Ranges[2]).ShouldBe("ctid >= '(666,0)'::tid");
        plan.Resumable.ShouldBeFalse();
        RangePlanner.BlockRanges(2, 10).Count.ShouldBe(2);
    }

    [Fact]
    public void Key_predicates_quote_the_column_and_the_bounds()
    {
        var plan = new RangePlan(RangeKind.Integer, "Order Id", RangePlanner.FromQuantiles(["51"]));
        plan.Predicate(plan.Ranges[1]).ShouldBe("\"Order Id\" >= '51'");
        plan.Resumable.ShouldBeTrue();
    }

    static bool Holds(CopyRange r, long k)
        => (r.Lower is null || k >= long.Parse(r.Lower)) && (r.Upper is null || k < long.Parse(r.Upper));
}
