using Ibex.Tests.Infrastructure;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Issue 13, acceptance 4: <c>ibex sync add-node</c> / <c>remove-node</c> refuse bad input with one line naming the node
/// and the fix, exit non-zero, and change nothing: not the control database, not a slot, publication or origin on any node.
/// </summary>
public class NodeMembershipBadInputTests(SharedClusters clusters)
{
    [Theory]
    [InlineData("already a member", "add-node {mm} b", "node 'b' is already a member (as source)", "remove-node")]
    [InlineData("tables differ", "add-node {mm} c", "node 'c' cannot join", "missing column w")]
    [InlineData("last source", "remove-node {one} a", "node 'a' is its last source", "ibex sync remove")]
    [InlineData("not a member", "remove-node {mm} c", "node 'c' is not a member", "ibex sync show")]
    [InlineData("one-way made multi-master", "add-node {one} c --source", "node 'c' can join it as --target", "ibex sync add")]
    [InlineData("copy from a target", "add-node {one} d --copy-from b", "--copy-from 'b' is not a source", "node 'd'")]
    [InlineData("mesh left with one node", "remove-node {mm} b", "without node 'b' it would have a single node", "ibex sync remove")]
    public async Task Bad_input_is_refused_in_one_line_and_changes_nothing(string why, string command, string says, string fix)
    {
        await using var s = await Scenario.CreateAsync(clusters, "a", "b", "c", "d");
        await s.ExecAsync("a", "CREATE TABLE t (id bigint PRIMARY KEY, v text, w integer)");
        await s.ExecAsync("b", "CREATE TABLE t (id bigint PRIMARY KEY, v text, w integer)");
        await s.ExecAsync("c", "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
        await s.ExecAsync("d", "CREATE TABLE t (id bigint PRIMARY KEY, v text, w integer)");
        await s.AddNodesAsync();
        var id = s.Id.Replace("_", "", StringComparison.Ordinal);
        var (mm, one) = ("mm" + id, "one" + id);
        (await s.Ibex("sync", "add", mm, "--tables", "public.t", "--source", "a", "--source", "b")).ShouldSucceed();
        (await s.Ibex("sync", "add", one, "--tables", "public.t", "--source", "a", "--target", "b", "--copy", "never")).ShouldSucceed();
        var before = await StateAsync(s, mm, one);

        var args = command.Replace("{mm}", mm, StringComparison.Ordinal).Replace("{one}", one, StringComparison.Ordinal).Split(' ');
        var result = await s.Ibex(["sync", .. args]);

        result.ExitCode.ShouldNotBe(0, $"{why}: {result.Output}");
        var line = result.Error.Trim();
        line.ShouldNotContain("\n", customMessage: $"{why}: one line, got: {line}");
        line.ShouldContain(says, customMessage: why);
        line.ShouldContain(fix, customMessage: why);
        (await StateAsync(s, mm, one)).ShouldBe(before, $"{why}: nothing changed");
    }

    // The syncs as the control database has them, and every Ibex slot, publication and origin on every node.
    static async Task<string> StateAsync(Scenario s, params string[] syncs)
    {
        var parts = new List<string>();
        foreach (var sync in syncs)
            parts.Add((await s.Ibex("sync", "show", sync, "--json")).ShouldSucceed().Output);
        foreach (var n in new[] { "a", "b", "c", "d" })
        {
            parts.AddRange(await s.QueryRowsAsync(n, "SELECT 'slot ' || slot_name FROM pg_replication_slots WHERE database = current_database()"));
            parts.AddRange(await s.QueryRowsAsync(n, "SELECT 'publication ' || pubname FROM pg_publication"));
            parts.AddRange(await s.QueryRowsAsync(n, $"SELECT 'origin ' || roname FROM pg_replication_origin WHERE roname LIKE '%{s.Id.Replace("_", "", StringComparison.Ordinal)}%'"));
            parts.Add($"{n} ibex_mm: " + await s.ScalarAsync<bool>(n, "SELECT to_regnamespace('ibex_mm') IS NOT NULL"));
        }
        return string.Join("\n", parts);
    }
}
