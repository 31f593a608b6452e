using Ibex.Daemon;
using NpgsqlTypes;
using Shouldly;

namespace Ibex.Tests.Daemon;

public class ProgressTrackerTests
{
    static NpgsqlLogSequenceNumber L(ulong n) => new(n);

    [Fact]
    public void The_slot_is_acknowledged_up_to_the_slowest_link()
    {
        var p = new ProgressTracker(multiMaster: false);
        p.Decide([L(300), L(200), L(500)], null).ShouldBe(new AckDecision(L(200), false));
    }

    [Fact]
    public void The_tombstone_recorder_holds_it_back_like_a_link()
    {
        var p = new ProgressTracker(multiMaster: true);
        p.Decide([L(300), L(500)], L(250))!.Value.Lsn.ShouldBe(L(250));
        p.Decide([L(300), L(500)], L(900))!.Value.Lsn.ShouldBe(L(300));
    }

    [Fact]
    public void Nothing_is_acknowledged_before_every_part_has_a_position()
    {
        var p = new ProgressTracker(multiMaster: true);
        p.Decide([], null).ShouldBeNull();
        p.Decide([L(300), default], null).ShouldBeNull();
        // A recorder that has recorded nothing yet in this run (it starts at zero) holds everything back.
        p.Decide([L(300)], default(NpgsqlLogSequenceNumber)).ShouldBeNull();
    }

    [Fact]
    public void Multi_master_saves_the_readers_view_only_for_a_position_not_acknowledged_before()
    {
        var p = new ProgressTracker(multiMaster: true);
        var first = p.Decide([L(300)], L(400))!.Value;
        first.ShouldBe(new AckDecision(L(300), true));
        p.Acknowledge(first.Lsn);
        p.Decide([L(300)], L(400))!.Value.SaveSeenFirst.ShouldBeFalse();
        p.Decide([L(350)], L(400))!.Value.ShouldBe(new AckDecision(L(350), true));
        new ProgressTracker(multiMaster: false).Decide([L(350)], null)!.Value.SaveSeenFirst.ShouldBeFalse();
    }

    [Fact]
    public void What_was_acknowledged_never_moves_back()
    {
        var p = new ProgressTracker(multiMaster: true);
        p.Acknowledge(L(500));
        p.Acknowledge(L(400));
        p.Acknowledged.ShouldBe(L(500));
        // A link added later, or a fresh recorder, may be behind: that position is acknowledged again (the server
        // keeps the furthest), but the view is not saved again for it.
        p.Decide([L(450)], L(600))!.Value.ShouldBe(new AckDecision(L(450), false));
    }
}
