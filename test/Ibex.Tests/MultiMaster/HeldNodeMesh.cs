using Ibex.Local;
using Ibex.Tests.Infrastructure;
using Ibex.Tests.Operations;
using Shouldly;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// Three writable nodes a, b and c in one sync under <c>latest</c>, one of them on a server of its own that a test
/// stops, so the other nodes' changes meet before that node's reach them: arrival order fixed by hand.
/// </summary>
public sealed class HeldNodeMesh : IAsyncDisposable
{
    HeldNodeMesh(Scenario scenario, LocalCluster held, string sync) => (Scenario, Held, Sync) = (scenario, held, sync);

    public Scenario Scenario { get; }

    /// <summary>The server of the held node.</summary>
    public LocalCluster Held { get; }

    public string Sync { get; }

    /// <summary>Creates the table (<paramref name="createTable"/>) on a, b and c and a sync of it with no copy.</summary>
    public static async Task<HeldNodeMesh> StartAsync(SharedClusters clusters, string heldNode, string table, string createTable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var held = await LocalCluster.StartAsync("held-" + table, cancellationToken: cancellationToken);
        Scenario? s = null;
        try
        {
            var shared = new Queue<LocalCluster>([await clusters.GetAsync(0), await clusters.GetAsync(1)]);
            var nodes = new[] { "a", "b", "c" }.Select(n => (n, n == heldNode ? held : shared.Dequeue())).ToArray();
            s = await Scenario.CreateAsync(nodes.First(n => n.Item1 != heldNode).Item2, nodes);
            await s.ExecAllAsync(createTable);
            await s.AddNodesAsync();
            var sync = "hn" + s.Id.Replace("_", "", StringComparison.Ordinal);
            (await s.Ibex("sync", "add", sync, "--tables", table, "--source", "a", "--source", "b", "--source", "c", "--copy", "never", "--conflict", "latest")).ShouldSucceed();
            return new HeldNodeMesh(s, held, sync);
        }
        catch
        {
            if (s is not null)
                await s.DisposeAsync();
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rows of <paramref name="table"/> on <paramref name="node"/>, ordered by k, as one line.</summary>
    public async Task<string> RowsAsync(string node, string table) => string.Join(" ", await Scenario.RowsAsync(node, table, "k"));

    /// <summary>Waits (bounded) until <paramref name="node"/> holds exactly <paramref name="rows"/>.</summary>
    public Task UntilAsync(string node, string table, string rows)
        => Poll.UntilAsync(() => RowsAsync(node, table), r => r == rows, 60, r => $"{node} has '{r}'\n{Scenario.DaemonLog}");

    /// <summary>Starts the held node's server again, waits for the sync to catch up, and asserts every node holds <paramref name="rows"/>.</summary>
    public async Task ReleaseAndExpectAsync(string table, string rows, CancellationToken cancellationToken)
    {
        await Held.StartServerAsync(cancellationToken);
        await Scenario.WaitAsync(Sync);
        foreach (var node in new[] { "a", "b", "c" })
            (await RowsAsync(node, table)).ShouldBe(rows, $"on {node}\n{Scenario.DaemonLog}");
    }

    public async ValueTask DisposeAsync()
    {
        await Scenario.DisposeAsync();
        await Held.DisposeAsync();
    }
}
