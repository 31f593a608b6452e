namespace Ibex.Control.Model;

/// <summary>A sync as stored in the control database: its nodes, tables and links.</summary>
public sealed record SyncRecord(
    string Name,
    bool Enabled,
    CopyMode CopyMode,
    string ConflictStrategy,
    string PublicationName,
    string OptionsJson,
    long ConfigVersion,
    DateTime CreatedAt,
    IReadOnlyList<SyncNode> Nodes,
    IReadOnlyList<SyncTable> Tables,
    IReadOnlyList<LinkRecord> Links)
{
    public IEnumerable<SyncNode> Sources => Nodes.Where(n => n.Role == NodeRole.Source);

    public IEnumerable<SyncNode> Targets => Nodes.Where(n => n.Role == NodeRole.Target);
}
