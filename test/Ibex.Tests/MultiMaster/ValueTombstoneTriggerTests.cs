using Ibex.Conflicts;
using Ibex.Sql;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>The value tombstone trigger's arguments (<see cref="ValueTombstoneTriggers.Arguments"/>), no server.</summary>
public class ValueTombstoneTriggerTests
{
    static readonly QualifiedName Table = new("Sales", "Order Items");

    [Fact]
    public void A_table_with_secondary_unique_indexes_gets_its_key_condition_and_one_json_array_per_index()
    {
        var args = ValueTombstoneTriggers.Arguments("s1", Table, ["id", "Region"], [["id", "Region"], ["code"], ["a \"b\"", "c,d"]]);
        args.ShouldNotBeNull();
        args.ShouldBe(["s1", "\"Sales\".\"Order Items\"", "t.\"id\" = ($1).\"id\" AND t.\"Region\" = ($1).\"Region\"", "[\"code\"]", "[\"a \\u0022b\\u0022\",\"c,d\"]"]);
    }

    [Fact]
    public void No_trigger_without_a_secondary_unique_index_or_without_a_key()
    {
        ValueTombstoneTriggers.Arguments("s1", Table, ["id"], [["id"]]).ShouldBeNull();
        ValueTombstoneTriggers.Arguments("s1", Table, [], [["code"]]).ShouldBeNull();
    }
}
