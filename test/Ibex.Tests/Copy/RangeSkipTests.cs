using Ibex.Changes;
using Ibex.Copy;
using Ibex.Sql;
using NpgsqlTypes;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>
/// A copy resumed after a crash has ranges copied at different snapshots: range 0 (keys below 100) at C1, range 1 at
/// C2 &gt; C1. A change is in the copy of its row's range when it committed before that range's snapshot.
/// </summary>
public class RangeSkipTests
{
    static readonly NpgsqlLogSequenceNumber C1 = new(1000);
    static readonly NpgsqlLogSequenceNumber C2 = new(2000);
    static readonly NpgsqlLogSequenceNumber Between = new(1500);

    static readonly RangeSkip Skip = new(RangeKind.Integer, "id", [(new CopyRange(0, null, "100"), C1), (new CopyRange(1, "100", null), C2)]);

    [Theory]
    [InlineData("5", 999, RangeSkipDecision.Skip)]     // before range 0's snapshot: in its copy
    [InlineData("5", 1000, RangeSkipDecision.Apply)]   // at its snapshot's LSN: after it (PostgreSQL's table sync rule)
    [InlineData("5", 1500, RangeSkipDecision.Apply)]
    [InlineData("100", 1500, RangeSkipDecision.Skip)]  // range 1 was copied later: still in its copy
    [InlineData("100", 2000, RangeSkipDecision.Apply)]
    [InlineData("-7", 1500, RangeSkipDecision.Apply)]  // below every bound: range 0
    public void An_insert_or_delete_follows_its_rows_range(string key, ulong commit, RangeSkipDecision expected)
    {
        Skip.Decide(ChangeKind.Insert, null, key, new NpgsqlLogSequenceNumber(commit)).ShouldBe(expected);
        Skip.Decide(ChangeKind.Delete, key, null, new NpgsqlLogSequenceNumber(commit)).ShouldBe(expected);
        Skip.Decide(ChangeKind.Update, null, key, new NpgsqlLogSequenceNumber(commit)).ShouldBe(expected);
    }

    [Fact]
    public void A_key_update_across_ranges_keeps_only_the_side_the_copy_lacks()
    {
        // Row 5 became 150 between the snapshots: range 0's copy has 5 (stale), range 1's copy already has 150.
        Skip.Decide(ChangeKind.Update, "5", "150", Between).ShouldBe(RangeSkipDecision.DeleteOld);
        // Row 150 became 5: range 1's copy no longer has 150, range 0's copy does not have 5 yet.
        Skip.Decide(ChangeKind.Update, "150", "5", Between).ShouldBe(RangeSkipDecision.InsertNew);
        Skip.Decide(ChangeKind.Update, "5", "150", new NpgsqlLogSequenceNumber(500)).ShouldBe(RangeSkipDecision.Skip);
        Skip.Decide(ChangeKind.Update, "5", "150", C2).ShouldBe(RangeSkipDecision.Apply);
    }

    [Fact]
    public void Filter_turns_a_half_copied_key_update_into_a_delete_or_an_insert()
    {
        var rel = new RelationInfo(1, 1, new QualifiedName("public", "t"), ["id", "v"], [20, 25], [0], false);
        var update = new Change(ChangeKind.Update, rel, RowImage.FromText(["5", null]), RowImage.FromText(["150", "x"]));
        var delete = Skip.Filter(update, Between)!;
        delete.Kind.ShouldBe(ChangeKind.Delete);
        delete.OldRow!.Text(0).ShouldBe("5");
        var back = new Change(ChangeKind.Update, rel, RowImage.FromText(["150", null]), RowImage.FromText(["5", "x"]));
        var insert = Skip.Filter(back, Between)!;
        insert.Kind.ShouldBe(ChangeKind.Insert);
        insert.OldRow.ShouldBeNull();
        insert.NewRow!.Text(1).ShouldBe("x");
        Skip.Filter(update, new NpgsqlLogSequenceNumber(10)).ShouldBeNull();
        Skip.Filter(update, C2).ShouldBeSameAs(update);
    }

    [Fact]
    public void A_truncate_between_the_snapshots_is_an_error_not_a_guess()
    {
        Skip.Decide(ChangeKind.Truncate, null, null, new NpgsqlLogSequenceNumber(10)).ShouldBe(RangeSkipDecision.Skip);
        Skip.Decide(ChangeKind.Truncate, null, null, C2).ShouldBe(RangeSkipDecision.Apply);
        Should.Throw<IbexException>(() => Skip.Decide(ChangeKind.Truncate, null, null, Between)).Message.ShouldContain("copy the table again");
    }

    [Fact]
    public void Keys_are_found_in_many_ranges()
    {
        var ranges = Enumerable.Range(0, 100).Select(i => (new CopyRange(i, i == 0 ? null : (i * 10).ToString(), i == 99 ? null : ((i + 1) * 10).ToString()), new NpgsqlLogSequenceNumber((ulong)(1000 + i)))).ToList();
        var skip = new RangeSkip(RangeKind.Integer, "id", ranges);
        skip.CopyLsnOf("-5").ShouldBe(new NpgsqlLogSequenceNumber(1000));
        skip.CopyLsnOf("9").ShouldBe(new NpgsqlLogSequenceNumber(1000));
        skip.CopyLsnOf("10").ShouldBe(new NpgsqlLogSequenceNumber(1001));
        skip.CopyLsnOf("545").ShouldBe(new NpgsqlLogSequenceNumber(1054));
        skip.CopyLsnOf("989").ShouldBe(new NpgsqlLogSequenceNumber(1098));
        skip.CopyLsnOf("990").ShouldBe(new NpgsqlLogSequenceNumber(1099));
        skip.CopyLsnOf("1000").ShouldBe(new NpgsqlLogSequenceNumber(1099));
        skip.CopyLsnOf("99999").ShouldBe(new NpgsqlLogSequenceNumber(1099));
    }

    [Fact]
    public void Uuid_keys_are_placed_by_postgres_byte_order()
    {
        var skip = new RangeSkip(RangeKind.Uuid, "id", [(new CopyRange(0, null, "80000000-0000-0000-0000-000000000000"), C1), (new CopyRange(1, "80000000-0000-0000-0000-000000000000", null), C2)]);
        skip.CopyLsnOf("7fffffff-ffff-ffff-ffff-ffffffffffff").ShouldBe(C1);
        skip.CopyLsnOf("80000000-0000-0000-0000-000000000000").ShouldBe(C2);
        skip.CopyLsnOf("00000000-0000-0000-0000-0000000000ff").ShouldBe(C1);
    }
}
