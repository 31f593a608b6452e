using Ibex.Conflicts;

namespace Ibex.Copy;

/// <summary>
/// What the initial copy of a multi-master sync needs: copied rows are committed on each node under the copying
/// source's origin, and meet the rows and deletes written there by the sync's strategy (<see cref="StagedMerge"/>).
/// </summary>
/// <param name="Coordinator">The sync's coordinator (strategies, origins, tombstone recorders, conflict log).</param>
/// <param name="Source">The node the copy reads from.</param>
public sealed record MultiMasterCopy(MultiMasterCoordinator Coordinator, string Source)
{
    static readonly TimeSpan RecorderWait = TimeSpan.FromSeconds(20);

    /// <summary>Waits until the deletes made on <paramref name="node"/> so far are recorded as tombstones there.</summary>
    public async Task AwaitOwnDeletesAsync(string node, CancellationToken cancellationToken)
    {
        if (!Coordinator.IsSource(node))
            return; // a read-only target: nothing is deleted there but by Ibex, which writes its tombstones itself
        var fence = await Coordinator.FenceAsync(node, cancellationToken).ConfigureAwait(false);
        if (!await Coordinator.WaitRecordedAsync(node, fence, RecorderWait, cancellationToken).ConfigureAwait(false))
            throw new IbexException($"target '{node}': its own deletes are not being read yet (is the sync's replication slot on '{node}' being read?), so the initial copy cannot be merged with them; it is retried");
    }
}
