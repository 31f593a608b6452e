using Ibex.Control.Model;
using Ibex.Declarative;
using Ibex.Sql;
using Shouldly;

namespace Ibex.Tests.Declarative;

/// <summary>The planner is pure: what it plans from two configurations, without any server.</summary>
public class ConfigPlannerTests
{
    static readonly NodeConfig A = new("a", "host=h1 dbname=d user=u");
    static readonly NodeConfig B = new("b", "host=h2 dbname=d user=u");
    static readonly NodeConfig C = new("c", "host=h3 dbname=d user=u");
    static readonly TableConfig T1 = new(new QualifiedName("public", "t1"));
    static readonly TableConfig T2 = new(new QualifiedName("public", "t2"));

    static SyncConfig Sync(string name = "s", CopyMode copy = CopyMode.Auto, params TableConfig[] tables)
        => new(name, ["a"], ["b"], [], copy, "latest", true, new SyncOptions(), tables.Length > 0 ? tables : [T1, T2]);

    static ReplicationConfig Config(params SyncConfig[] syncs) => new([A, B, C], syncs);

    [Fact]
    public void The_same_configuration_plans_nothing()
        => ConfigPlanner.Plan(Config(Sync()), Config(Sync())).IsEmpty.ShouldBeTrue();

    [Fact]
    public void A_connection_string_written_another_way_is_not_a_change()
    {
        var uri = new ReplicationConfig([new NodeConfig("a", "postgresql://u@h1/d"), B, C], []);
        ConfigPlanner.Plan(uri, Config()).IsEmpty.ShouldBeTrue();
        var moved = new ReplicationConfig([new NodeConfig("a", "postgresql://u@h9/d"), B, C], []);
        ConfigPlanner.Plan(moved, Config()).Steps.ShouldHaveSingleItem().Kind.ShouldBe(StepKind.ChangeNode);
        var rotated = new ReplicationConfig([new NodeConfig("a", "host=h1 dbname=d user=u password=new"), B, C], []);
        var step = ConfigPlanner.Plan(rotated, Config()).Steps.ShouldHaveSingleItem();
        step.Kind.ShouldBe(StepKind.ChangeNode);
        step.Line.ShouldNotContain("new");
    }

    [Fact]
    public void New_things_are_added_first_removed_things_last_and_only_removals_are_destructive()
    {
        var current = new ReplicationConfig([A, C], [Sync("old")]);
        var desired = new ReplicationConfig([A, B], [Sync("new", CopyMode.Never)]);
        var plan = ConfigPlanner.Plan(desired, current);
        plan.Steps.Select(s => (s.Kind, s.Name)).ShouldBe([(StepKind.AddNode, "b"), (StepKind.RemoveSync, "old"), (StepKind.AddSync, "new"), (StepKind.RemoveNode, "c")]);
        plan.Destructive.Select(s => s.Name).ShouldBe(["old", "c"]);
        plan.DestructiveSummary.ShouldBe("sync 'old', node 'c'");
        plan.Steps.Single(s => s.Kind == StepKind.RemoveSync).DropsSlot.ShouldBeTrue();
        plan.Steps.Single(s => s.Kind == StepKind.AddSync).NeedsCopy.ShouldBeFalse(); // copy never
    }

    [Fact]
    public void A_new_sync_with_copy_auto_needs_an_initial_copy()
    {
        var step = ConfigPlanner.Plan(Config(Sync()), Config()).Steps.ShouldHaveSingleItem();
        step.NeedsCopy.ShouldBeTrue();
        step.Line.ShouldBe("+ sync 's': 2 table(s) from a to b [initial copy (auto)]");
    }

    [Fact]
    public void Other_nodes_make_the_sync_anew_which_drops_its_slots()
    {
        var desired = Sync() with { Targets = ["c"] };
        var step = ConfigPlanner.Plan(Config(desired), Config(Sync())).Steps.ShouldHaveSingleItem();
        step.Kind.ShouldBe(StepKind.RecreateSync);
        step.Destructive.ShouldBeTrue();
        step.Line.ShouldContain("drops its slots and publication");
    }

    [Fact]
    public void A_table_with_a_new_filter_is_removed_and_added_again_while_the_others_stay()
    {
        var filtered = T2 with { Where = "id > 0" };
        var plan = ConfigPlanner.Plan(Config(Sync(tables: [T1, filtered])), Config(Sync()));
        plan.Steps.Select(s => s.Kind).ShouldBe([StepKind.RemoveTables, StepKind.AddTables]);
        plan.Steps[0].Tables.ShouldBe([T2]);
        plan.Steps[1].Tables.ShouldBe([filtered]);
        plan.DestructiveSummary.ShouldBe("tables public.t2 of sync 's'");
    }

    [Fact]
    public void When_no_table_stays_as_it_is_the_sync_is_made_anew()
    {
        var plan = ConfigPlanner.Plan(Config(Sync(tables: [T1 with { Columns = ["id"] }])), Config(Sync(tables: [T1])));
        plan.Steps.ShouldHaveSingleItem().Kind.ShouldBe(StepKind.RecreateSync);
    }

    [Fact]
    public void Settings_conflicts_and_pausing_change_in_place()
    {
        var desired = Sync(tables: [T1 with { Conflict = "keep-local" }, T2]) with
        {
            Conflict = "abort",
            Enabled = false,
            Options = new SyncOptions { Mode = "kick", EverySeconds = 60 },
        };
        var plan = ConfigPlanner.Plan(Config(desired), Config(Sync()));
        plan.Steps.Select(s => s.Kind).ShouldBe([StepKind.ChangeSync, StepKind.SetTableConflicts, StepKind.Pause]);
        plan.Destructive.ShouldBeEmpty();
        plan.Steps[0].Text.ShouldBe("sync 's': conflict latest -> abort, mode stream -> kick, every_seconds none -> 60");
        plan.Steps[1].Text.ShouldBe("sync 's': conflict strategy of public.t1 (the sync's) -> keep-local");
    }
}
