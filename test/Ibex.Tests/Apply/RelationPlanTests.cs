using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Shouldly;
using Xunit;

namespace Ibex.Tests.Apply;

/// <summary>The UPDATE statements a target gets for one source layout (no server needed).</summary>
public sealed class RelationPlanTests
{
    static RelationPlan Plan(params string[] columns)
        => new(new RelationInfo(1, 1, new QualifiedName("Sales", "Order Items"), columns, [.. columns.Select(_ => 25u)], [0], false), new QualifiedName("Sales", "Order Items"));

    [Fact]
    public void A_plain_update_sets_every_non_key_column_and_finds_the_row_by_key()
    {
        var plan = Plan("id", "qty", "note");
        var first = plan.UpdateCommand(RowImage.FromText(["1", "5", "x"]), null);
        var second = plan.UpdateCommand(RowImage.FromText(["2", "6", "y"]), null);
        first.CommandText.ShouldBe("UPDATE \"Sales\".\"Order Items\" SET \"qty\" = $1, \"note\" = $2 WHERE \"id\" = $3");
        second.CommandText.ShouldBe(first.CommandText);
        second.Parameters.Select(p => p.Value).ShouldBe(["6", "y", "2"]);
    }

    [Fact]
    public void An_update_with_an_unchanged_toast_value_leaves_it_out()
    {
        var plan = Plan("id", "qty", "doc");
        var builder = new RowImageBuilder(3);
        builder.AddBytes("1"u8.ToArray());
        builder.AddBytes("7"u8.ToArray());
        builder.AddUnchangedToast();
        var cmd = plan.UpdateCommand(builder.Build(), null);
        cmd.CommandText.ShouldBe("UPDATE \"Sales\".\"Order Items\" SET \"qty\" = $1 WHERE \"id\" = $2");
        cmd.Parameters.Select(p => p.Value).ShouldBe(["7", "1"]);
    }

    [Fact]
    public void An_update_with_nothing_to_set_gets_its_parameters_every_time_not_only_the_first()
    {
        // Only the key and an unchanged TOAST value sent: nothing to set, yet the row must be found. The statement was
        // cached before its SET column was chosen, so the second such update lacked a parameter.
        var plan = Plan("id", "doc");
        for (var i = 0; i < 2; i++)
        {
            var builder = new RowImageBuilder(2);
            builder.AddBytes("1"u8.ToArray());
            builder.AddUnchangedToast();
            var cmd = plan.UpdateCommand(builder.Build(), null);
            cmd.CommandText.ShouldBe("UPDATE \"Sales\".\"Order Items\" SET \"id\" = $1 WHERE \"id\" = $2");
            cmd.Parameters.Count.ShouldBe(2, $"update {i + 1}");
        }
    }
}
