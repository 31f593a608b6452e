namespace Ibex.Declarative;

/// <summary>The whole replication configuration: what <c>ibex export</c> writes and <c>ibex apply</c> makes true.</summary>
public sealed record ReplicationConfig(IReadOnlyList<NodeConfig> Nodes, IReadOnlyList<SyncConfig> Syncs);
