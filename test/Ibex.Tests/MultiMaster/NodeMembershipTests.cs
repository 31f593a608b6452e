using Ibex.Control.Model;
using Ibex.Setup;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>The pure rules of <c>sync add-node</c> / <c>remove-node</c> (no server): roles, copy sources, refusals.</summary>
public class NodeMembershipTests
{
    static SyncRecord Sync(string strategy, params (string Node, NodeRole Role)[] nodes)
        => new("s", true, CopyMode.Auto, strategy, "ibex_s", "{}", 1, DateTime.UtcNow,
            [.. nodes.Select(n => new SyncNode(n.Node, n.Role, n.Role == NodeRole.Source ? "ibex_s_" + n.Node : null))],
            [new SyncTable(new Sql.QualifiedName("public", "t"))], []);

    static readonly SyncRecord Mesh = Sync("latest", ("a", NodeRole.Source), ("b", NodeRole.Source));
    static readonly SyncRecord OneWay = Sync("latest", ("a", NodeRole.Source), ("r", NodeRole.Target));

    [Fact]
    public void A_node_joins_a_mesh_as_source_and_a_one_way_sync_as_target_copied_from_the_first_source()
    {
        NodeMembership.Join(Mesh, "c", null, null).ShouldBe((NodeRole.Source, "a"));
        NodeMembership.Join(Mesh, "c", NodeRole.Target, "b").ShouldBe((NodeRole.Target, "b"));
        NodeMembership.Join(OneWay, "c", null, null).ShouldBe((NodeRole.Target, "a"));
    }

    [Theory]
    [InlineData("mesh", "b", null, null, "node 'b' is already a member (as source)")]
    [InlineData("one", "c", NodeRole.Source, null, "node 'c' can join it as --target")]
    [InlineData("one", "c", null, "r", "--copy-from 'r' is not a source")]
    [InlineData("mesh", "c", NodeRole.Fullcopy, null, "node 'c' can join as --source or --target")]
    public void Joins_that_cannot_work_are_refused(string which, string node, NodeRole? role, string? copyFrom, string says)
        => Should.Throw<IbexException>(() => NodeMembership.Join(which == "mesh" ? Mesh : OneWay, node, role, copyFrom)).Message.ShouldContain(says);

    [Fact]
    public void Leaving_is_refused_when_the_sync_would_lose_its_last_source_its_second_node_its_second_writer_or_a_ranked_node()
    {
        Should.Throw<IbexException>(() => NodeMembership.Leave(OneWay, "a")).Message.ShouldContain("node 'a' is its last source");
        Should.Throw<IbexException>(() => NodeMembership.Leave(OneWay, "r")).Message.ShouldContain("would have a single node");
        Should.Throw<IbexException>(() => NodeMembership.Leave(Mesh, "x")).Message.ShouldContain("node 'x' is not a member");
        var meshWithReplica = Sync("latest", ("a", NodeRole.Source), ("b", NodeRole.Source), ("r", NodeRole.Target));
        Should.Throw<IbexException>(() => NodeMembership.Leave(meshWithReplica, "b")).Message.ShouldContain("would have one source");
        NodeMembership.Leave(meshWithReplica, "r");
        var ranked = Sync("priority:c,a", ("a", NodeRole.Source), ("b", NodeRole.Source), ("c", NodeRole.Source));
        Should.Throw<IbexException>(() => NodeMembership.Leave(ranked, "c")).Message.ShouldContain("ranks node 'c'");
        NodeMembership.Leave(ranked, "b");
    }
}
