using Ibex.Conflicts;
using Shouldly;
using static Ibex.Conflicts.ConflictOutcome;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// The conflict decision as a pure function (no server): every strategy against every kind, with the remote change
/// newer and older than a concurrent local version. The remote change comes from node b, local versions from node a.
/// </summary>
public class ConflictRulesTests
{
    static readonly DateTime T0 = new(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);

    static ConflictCase Case(string kind, int remoteSecondsAfterLocal, bool concurrent = true, int rows = 1)
    {
        var k = Kind(kind);
        var local = k is ConflictKind.UpdateMissing or ConflictKind.DeleteMissing ? []
            : Enumerable.Range(0, k == ConflictKind.MultipleUniqueConflicts ? Math.Max(rows, 2) : rows).Select(_ => new LocalVersion(new RowVersion(T0, "a"), concurrent)).ToList();
        return new ConflictCase(k, local, new RowVersion(T0.AddSeconds(remoteSecondsAfterLocal), "b"));
    }

    static ConflictKind Kind(string name) => Enum.GetValues<ConflictKind>().Single(k => k.Name() == name);

    [Theory]
    // strategy, kind, outcome when the remote change is 1 s newer, outcome when it is 1 s older
    [InlineData("latest", "insert_exists", ApplyRemote, KeepLocal)]
    [InlineData("latest", "update_origin_differs", ApplyRemote, KeepLocal)]
    [InlineData("latest", "update_exists", ApplyRemote, KeepLocal)]
    [InlineData("latest", "update_deleted", ApplyRemote, KeepLocal)]
    [InlineData("latest", "update_missing", ApplyRemote, ApplyRemote)]
    [InlineData("latest", "delete_origin_differs", ApplyRemote, KeepLocal)]
    [InlineData("latest", "delete_missing", Skip, Skip)]
    [InlineData("latest", "multiple_unique_conflicts", ApplyRemote, KeepLocal)]
    // a is ranked first: its version beats b's written less than the window (2 s) after it
    [InlineData("priority:a,b", "insert_exists", KeepLocal, KeepLocal)]
    [InlineData("priority:a,b", "update_origin_differs", KeepLocal, KeepLocal)]
    [InlineData("priority:a,b", "update_exists", KeepLocal, KeepLocal)]
    [InlineData("priority:a,b", "update_deleted", KeepLocal, KeepLocal)]
    [InlineData("priority:a,b", "update_missing", ApplyRemote, ApplyRemote)]
    [InlineData("priority:a,b", "delete_origin_differs", KeepLocal, KeepLocal)]
    [InlineData("priority:a,b", "delete_missing", Skip, Skip)]
    [InlineData("priority:a,b", "multiple_unique_conflicts", KeepLocal, KeepLocal)]
    // b is ranked first: its version wins even when older, within the window
    [InlineData("priority:b,a", "insert_exists", ApplyRemote, ApplyRemote)]
    [InlineData("priority:b,a", "update_deleted", ApplyRemote, ApplyRemote)]
    [InlineData("priority:b,a", "multiple_unique_conflicts", ApplyRemote, ApplyRemote)]
    [InlineData("keep-local", "insert_exists", KeepLocal, KeepLocal)]
    [InlineData("keep-local", "update_origin_differs", KeepLocal, KeepLocal)]
    [InlineData("keep-local", "update_exists", KeepLocal, KeepLocal)]
    [InlineData("keep-local", "update_deleted", KeepLocal, KeepLocal)]
    [InlineData("keep-local", "update_missing", ApplyRemote, ApplyRemote)]
    [InlineData("keep-local", "delete_origin_differs", KeepLocal, KeepLocal)]
    [InlineData("keep-local", "delete_missing", Skip, Skip)]
    [InlineData("keep-local", "multiple_unique_conflicts", KeepLocal, KeepLocal)]
    [InlineData("abort", "insert_exists", Abort, Abort)]
    [InlineData("abort", "update_origin_differs", Abort, Abort)]
    [InlineData("abort", "update_exists", Abort, Abort)]
    [InlineData("abort", "update_deleted", Abort, Abort)]
    [InlineData("abort", "update_missing", ApplyRemote, ApplyRemote)]
    [InlineData("abort", "delete_origin_differs", Abort, Abort)]
    [InlineData("abort", "delete_missing", Skip, Skip)]
    [InlineData("abort", "multiple_unique_conflicts", Abort, Abort)]
    // custom decides a conflict over one row; conflicts over rows at other keys go by latest
    [InlineData("custom:public.f", "insert_exists", CallCustom, CallCustom)]
    [InlineData("custom:public.f", "update_origin_differs", CallCustom, CallCustom)]
    [InlineData("custom:public.f", "update_exists", ApplyRemote, KeepLocal)]
    [InlineData("custom:public.f", "update_deleted", CallCustom, CallCustom)]
    [InlineData("custom:public.f", "update_missing", ApplyRemote, ApplyRemote)]
    [InlineData("custom:public.f", "delete_origin_differs", CallCustom, CallCustom)]
    [InlineData("custom:public.f", "delete_missing", Skip, Skip)]
    [InlineData("custom:public.f", "multiple_unique_conflicts", ApplyRemote, KeepLocal)]
    public void Every_strategy_decides_every_kind(string strategy, string kind, ConflictOutcome remoteNewer, ConflictOutcome remoteOlder)
    {
        var s = ConflictStrategy.Parse(strategy);
        ConflictRules.Decide(Case(kind, 1), s).ShouldBe(remoteNewer, $"{strategy} {kind}, remote newer");
        ConflictRules.Decide(Case(kind, -1), s).ShouldBe(remoteOlder, $"{strategy} {kind}, remote older");
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("priority:a,b")]
    [InlineData("keep-local")]
    [InlineData("abort")]
    [InlineData("custom:public.f")]
    public void A_version_the_remote_node_had_seen_is_superseded_under_every_strategy(string strategy)
    {
        // b wrote after applying a's version: its change was made knowing it, even when a outranks b within the window.
        foreach (var kind in new[] { "insert_exists", "update_origin_differs", "update_exists", "update_deleted", "delete_origin_differs", "multiple_unique_conflicts" })
            ConflictRules.Decide(Case(kind, 1, concurrent: false), ConflictStrategy.Parse(strategy)).ShouldBe(ApplyRemote, $"{strategy} {kind}");
    }

    [Fact]
    public void Several_clashing_rows_are_replaced_only_when_the_remote_beats_every_concurrent_one()
    {
        var remote = new RowVersion(T0, "b");
        LocalVersion Row(int seconds, bool concurrent = true) => new(new RowVersion(T0.AddSeconds(seconds), "a"), concurrent);
        ConflictCase Multiple(params LocalVersion[] rows) => new(ConflictKind.MultipleUniqueConflicts, rows, remote);

        ConflictRules.Decide(Multiple(Row(-2), Row(-1)), ConflictStrategy.Latest).ShouldBe(ApplyRemote);
        ConflictRules.Decide(Multiple(Row(-2), Row(1)), ConflictStrategy.Latest).ShouldBe(KeepLocal);
        ConflictRules.Decide(Multiple(Row(1), Row(-2)), ConflictStrategy.Latest).ShouldBe(KeepLocal);
        // A newer row the remote node had already seen does not stop it.
        ConflictRules.Decide(Multiple(Row(-2), Row(1, concurrent: false)), ConflictStrategy.Latest).ShouldBe(ApplyRemote);
        ConflictRules.Decide(Multiple(Row(-2), Row(-1)), ConflictStrategy.Parse("priority:b,a")).ShouldBe(ApplyRemote);
        ConflictRules.Decide(Multiple(Row(-2), Row(-1)), ConflictStrategy.Parse("priority:a,b")).ShouldBe(KeepLocal);
    }

    [Fact]
    public void Abort_resumed_by_an_operator_is_decided_as_latest()
    {
        var abort = ConflictStrategy.Parse("abort");
        ConflictRules.Decide(Case("update_origin_differs", 1) with { OperatorResolved = true }, abort).ShouldBe(ApplyRemote);
        ConflictRules.Decide(Case("update_origin_differs", -1) with { OperatorResolved = true }, abort).ShouldBe(KeepLocal);
    }

    [Fact]
    public void Custom_decides_a_key_change_or_a_row_at_another_key_as_latest()
    {
        var custom = ConflictStrategy.Parse("custom:public.f");
        ConflictRules.Decide(Case("insert_exists", 1) with { OneRow = false }, custom).ShouldBe(ApplyRemote);
        ConflictRules.Decide(Case("update_deleted", -1) with { OneRow = false }, custom).ShouldBe(KeepLocal);
    }

    [Fact]
    public void A_conflict_over_rows_needs_the_local_versions()
        => Should.Throw<ArgumentException>(() => ConflictRules.Decide(Case("update_origin_differs", 1, rows: 0), ConflictStrategy.Latest));

    [Fact]
    public void Missing_rows_are_always_logged_other_kinds_when_concurrent_or_lost()
    {
        ConflictRules.IsLogged(Case("update_missing", 0), ApplyRemote).ShouldBeTrue();
        ConflictRules.IsLogged(Case("delete_missing", 0), Skip).ShouldBeTrue();
        ConflictRules.IsLogged(Case("update_origin_differs", 1), ApplyRemote).ShouldBeTrue();
        ConflictRules.IsLogged(Case("update_origin_differs", 1, concurrent: false), ApplyRemote).ShouldBeFalse();
        ConflictRules.IsLogged(Case("update_origin_differs", -1), KeepLocal).ShouldBeTrue();
    }

    [Fact]
    public void The_logged_local_version_is_the_strongest_concurrent_one()
    {
        var c = new ConflictCase(ConflictKind.MultipleUniqueConflicts,
            [new(new RowVersion(T0.AddSeconds(9), "a"), false), new(new RowVersion(T0.AddSeconds(1), "a"), true), new(new RowVersion(T0.AddSeconds(2), "c"), true)],
            new RowVersion(T0, "b"));
        ConflictRules.Strongest(c, ConflictStrategy.Latest).ShouldBe(2);
        ConflictRules.Strongest(c, ConflictStrategy.Parse("priority:a,c")).ShouldBe(1);
    }

    [Fact]
    public void Concurrent_means_written_by_another_node_after_what_the_remote_node_had_applied_from_it()
    {
        var seen = new Dictionary<string, DateTime> { ["a"] = T0 };
        var baseline = T0.AddHours(-1);
        ConflictRules.IsConcurrent(new RowVersion(T0.AddSeconds(1), "a"), "b", seen, baseline).ShouldBeTrue();
        ConflictRules.IsConcurrent(new RowVersion(T0, "a"), "b", seen, baseline).ShouldBeFalse();
        ConflictRules.IsConcurrent(new RowVersion(T0.AddSeconds(1), "b"), "b", seen, baseline).ShouldBeFalse(); // the remote node's own version
        ConflictRules.IsConcurrent(new RowVersion(null, "a"), "b", seen, baseline).ShouldBeFalse();
        ConflictRules.IsConcurrent(new RowVersion(T0, "c"), "b", seen, baseline).ShouldBeTrue(); // never heard from c: after the sync began
        ConflictRules.IsConcurrent(new RowVersion(baseline.AddSeconds(-1), "c"), "b", seen, baseline).ShouldBeFalse();
    }

    [Fact]
    public void A_change_a_version_that_reached_this_node_was_written_knowing_is_superseded()
    {
        // Versions of the key that reached this node were written after applying c's changes up to T0 and a's up to T0 + 5 s.
        RowVersion[] seen = [new(T0, "c"), new(T0.AddSeconds(5), "a")];
        ConflictRules.IsSuperseded(new RowVersion(T0, "c"), seen).ShouldBeTrue();
        ConflictRules.IsSuperseded(new RowVersion(T0.AddSeconds(-1), "c"), seen).ShouldBeTrue();
        ConflictRules.IsSuperseded(new RowVersion(T0.AddTicks(1), "c"), seen).ShouldBeFalse();
        ConflictRules.IsSuperseded(new RowVersion(T0, "b"), seen).ShouldBeFalse(); // nobody here had seen b's changes
        ConflictRules.IsSuperseded(new RowVersion(null, "c"), seen).ShouldBeFalse();
        ConflictRules.IsSuperseded(new RowVersion(T0, null), seen).ShouldBeFalse();
    }

    [Theory]
    [InlineData("latest", "update_origin_differs")]
    [InlineData("latest", "insert_exists")]
    [InlineData("latest", "update_deleted")]
    [InlineData("latest", "update_missing")]
    [InlineData("latest", "delete_origin_differs")]
    [InlineData("priority:b,a", "update_origin_differs")]
    [InlineData("priority:b,a", "update_deleted")]
    [InlineData("priority:b,a", "delete_origin_differs")]
    [InlineData("keep-local", "update_origin_differs")]
    [InlineData("abort", "update_origin_differs")]
    [InlineData("custom:public.f", "update_origin_differs")]
    public void A_superseded_change_loses_whatever_it_meets_unlogged(string strategy, string kind)
    {
        // Newer than the local version and ranked first, concurrent or not: it was already replaced elsewhere.
        foreach (var concurrent in new[] { true, false })
        {
            var c = Case(kind, 1, concurrent) with { Superseded = true };
            var outcome = ConflictRules.Decide(c, ConflictStrategy.Parse(strategy));
            outcome.ShouldBe(KeepLocal, $"{strategy} {kind} concurrent={concurrent}");
            ConflictRules.IsLogged(c, outcome).ShouldBeFalse();
        }
        ConflictRules.Decide(Case("delete_missing", 1) with { Superseded = true }, ConflictStrategy.Parse(strategy)).ShouldBe(Skip);
    }

    [Fact]
    public void An_update_made_knowing_the_row_still_meets_the_later_deletes_that_lost_to_it()
    {
        var row = new RowVersion(T0, "b");
        RowVersion[] deletes = [new(T0.AddSeconds(-1), "c"), new(T0.AddSeconds(1), "c"), new(T0.AddSeconds(2), "a"), new(T0.AddSeconds(3), "d")];
        // The delete at T0 - 1 s is older than the row (the row came back after it); d's had been seen by a version here.
        ConflictRules.LaterDeletes(row, deletes, [new RowVersion(T0.AddSeconds(3), "d")]).ShouldBe([deletes[1], deletes[2]]);
        ConflictRules.LaterDeletes(new RowVersion(null, "b"), deletes, []).ShouldBeEmpty();

        // priority:b,c,a: the row is b's (the remote a had seen it); c's later delete lost to it here and beats a's update.
        var strategy = ConflictStrategy.Parse("priority:b,c,a");
        var update = new RowVersion(T0.AddSeconds(2), "a");
        var c = new ConflictCase(ConflictKind.UpdateOriginDiffers, [new(row, false), new(deletes[1], true)], update);
        var outcome = ConflictRules.Decide(c, strategy);
        outcome.ShouldBe(KeepLocal);
        ConflictRules.RowGoes(c, outcome).ShouldBeTrue();
        // The same update long after the delete wins; a concurrent row that beats it stays; a superseded update changes nothing.
        var late = c with { Remote = new RowVersion(T0.AddSeconds(30), "a") };
        ConflictRules.Decide(late, strategy).ShouldBe(ApplyRemote);
        ConflictRules.RowGoes(late, ApplyRemote).ShouldBeFalse();
        var rowConcurrent = c with { Local = [new(row, true), new(deletes[1], true)] };
        ConflictRules.RowGoes(rowConcurrent, ConflictRules.Decide(rowConcurrent, strategy)).ShouldBeFalse();
        var superseded = c with { Superseded = true };
        ConflictRules.RowGoes(superseded, ConflictRules.Decide(superseded, strategy)).ShouldBeFalse();
        ConflictRules.RowGoes(c with { Local = [new(row, false)] }, KeepLocal).ShouldBeFalse();
    }
}
