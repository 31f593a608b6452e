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

    [Fact]
    public void Integer_ranges_are_adjacent_open_at_both_ends_and_cover_every_key_once()
    {
        var ranges = RangePlanner.IntegerRanges(-50, 949, 4);
        ranges.Select(r => (r.Lower, r.Upper)).ShouldBe([(null, "200"), ("200", "450"), ("450", "700"), ("700", null)]);
        for (var k = -1000L; k < 2000; k += 7)
            ranges.Count(r => Holds(r, k)).ShouldBe(1, $"key {k}");
    }

    [Fact]
    public void A_narrow_key_span_gives_no_more_ranges_than_keys()
    {
        RangePlanner.IntegerRanges(5, 6, 10).Count.ShouldBe(2);
        RangePlanner.IntegerRanges(long.MinValue, long.MaxValue, 3).Count.ShouldBe(3);
    }

    [Fact]
    public void Uuid_ranges_split_the_uuid_space_in_postgres_order()
    {
        var ranges = RangePlanner.UuidRanges(4);
        ranges.Select(r => r.Upper).ShouldBe(["40000000-0000-0000-0000-000000000000", "80000000-0000-0000-0000-000000000000", "c0000000-0000-0000-0000-000000000000", null]);
        // Bytewise, as PostgreSQL compares uuids (System.Guid's own order differs in its first groups).
        RangeKeyOrder.Compare(RangeKind.Uuid, "3fffffff-ffff-ffff-ffff-ffffffffffff", "40000000-0000-0000-0000-000000000000").ShouldBeLessThan(0);
        RangeKeyOrder.Compare(RangeKind.Uuid, "00000001-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001").ShouldBeGreaterThan(0);
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
        var plan = new RangePlan(RangeKind.Integer, "Order Id", RangePlanner.IntegerRanges(1, 100, 2));
        plan.Predicate(plan.Ranges[1]).ShouldBe("\"Order Id\" >= '51'");
        plan.Resumable.ShouldBeTrue();
    }

    static bool Holds(CopyRange r, long k)
        => (r.Lower is null || k >= long.Parse(r.Lower)) && (r.Upper is null || k < long.Parse(r.Upper));
}
