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

    public IEnumerable<SyncNode> FullcopyTargets => Nodes.Where(n => n.Role == NodeRole.Fullcopy);

    public SyncOptions Options => SyncOptions.Parse(OptionsJson);

    /// <summary>What the sync does with DDL on its sources (<c>ibex.sync.ddl</c>).</summary>
    public DdlMode Ddl { get; init; } = DdlMode.Stop;

    /// <summary>True when changes of <paramref name="node"/> reach it through a stream (a target or another source).</summary>
    public bool Streams(string node) => Nodes.Any(n => n.Node == node && n.Role != NodeRole.Fullcopy);
}
