using Ibex.Conflicts;
using Ibex.Copy;
using Shouldly;

namespace Ibex.Tests.Copy;

/// <summary>How a copied row meets a row or delete a node wrote during the initial copy (no server needed).</summary>
public class CopyMergeRulesTests
{
    static readonly DateTime T0 = new(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void One_way_the_source_row_always_replaces_the_targets_row()
    {
        CopyMergeRules.CopiedWins(null, new RowVersion(T0.AddHours(1), "replica"), new RowVersion(T0, "src")).ShouldBeTrue();
        CopyMergeRules.CopiedWins(null, new RowVersion(T0, "replica"), new RowVersion(null, "src")).ShouldBeTrue();
    }

    [Theory]
    [InlineData(5, false)]  // the node wrote its row after the source's: the node's row stays
    [InlineData(-5, true)]  // the source's row is newer: it replaces the node's
    public void Latest_keeps_the_newer_version_as_every_other_node_does(int localSecondsAfterSource, bool copiedWins)
    {
        var local = new RowVersion(T0.AddSeconds(localSecondsAfterSource), "b");
        var copied = new RowVersion(T0, "a");
        CopyMergeRules.CopiedWins(ConflictStrategy.Latest, local, copied).ShouldBe(copiedWins);
        // The node's change reaches the source by its stream and is decided there by the same order: the same winner.
        ConflictStrategy.Latest.RemoteWins(copied, local).ShouldBe(!copiedWins);
    }

    [Fact]
    public void A_copied_row_without_a_commit_time_loses_to_a_row_written_since()
        => CopyMergeRules.CopiedWins(ConflictStrategy.Latest, new RowVersion(T0, "b"), new RowVersion(null, "a")).ShouldBeFalse();

    [Fact]
    public void Priority_shifts_by_rank_like_any_conflict()
    {
        var strategy = ConflictStrategy.Parse("priority:a,b@10s");
        CopyMergeRules.CopiedWins(strategy, new RowVersion(T0.AddSeconds(5), "b"), new RowVersion(T0, "a")).ShouldBeTrue();
        CopyMergeRules.CopiedWins(strategy, new RowVersion(T0.AddSeconds(15), "b"), new RowVersion(T0, "a")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("keep-local")]
    [InlineData("abort")]
    [InlineData("custom:public.pick")]
    public void Strategies_without_a_total_order_keep_the_nodes_own_version(string text)
        => CopyMergeRules.CopiedWins(ConflictStrategy.Parse(text), new RowVersion(T0.AddSeconds(-30), "b"), new RowVersion(T0, "a")).ShouldBeFalse();

    [Fact]
    public void A_row_an_earlier_copy_from_the_same_source_left_is_not_a_conflict()
    {
        CopyMergeRules.IsConflict(new RowVersion(T0, "a"), "a").ShouldBeFalse();
        CopyMergeRules.IsConflict(new RowVersion(T0, "b"), "a").ShouldBeTrue();
        CopyMergeRules.IsConflict(new RowVersion(T0, null), "a").ShouldBeTrue();
    }

    [Fact]
    public void The_strongest_delete_decides()
    {
        var deletes = new[] { new RowVersion(T0, "b"), new RowVersion(T0.AddSeconds(3), "c"), new RowVersion(T0.AddSeconds(1), "b") };
        CopyMergeRules.StrongestDelete(ConflictStrategy.Latest, deletes).ShouldBe(deletes[1]);
        CopyMergeRules.StrongestDelete(ConflictStrategy.Latest, []).ShouldBeNull();
        CopyMergeRules.CopiedWins(ConflictStrategy.Latest, deletes[1], new RowVersion(T0.AddSeconds(2), "a")).ShouldBeFalse();
        CopyMergeRules.CopiedWins(ConflictStrategy.Latest, deletes[1], new RowVersion(T0.AddSeconds(4), "a")).ShouldBeTrue();
    }
}
