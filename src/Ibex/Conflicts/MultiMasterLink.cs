using Ibex.Sql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>What one applier (remote source → this node) of a multi-master sync needs to detect and resolve conflicts.</summary>
/// <param name="Coordinator">Shared by the links of the sync.</param>
/// <param name="LocalNode">The node changes are applied on.</param>
/// <param name="RemoteNode">The source the changes come from.</param>
public sealed record MultiMasterLink(MultiMasterCoordinator Coordinator, string LocalNode, string RemoteNode)
{
    /// <summary>Maps pg_replication_origin ids on the local node to the node each origin brings changes from.</summary>
    public Dictionary<int, string> OriginNodes { get; } = [];

    public string Sync => Coordinator.SyncName;

    public ConflictStrategy StrategyFor(QualifiedName table) => Coordinator.StrategyFor(table);

    public bool IsOperatorResolved(QualifiedName table, string keyJson, NpgsqlLogSequenceNumber lsn, DateTime commitTimestamp) => Coordinator.IsOperatorResolved(table, keyJson, lsn, commitTimestamp);
}
