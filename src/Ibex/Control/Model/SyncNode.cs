namespace Ibex.Control.Model;

/// <summary>A node's part in a sync; sources have a slot.</summary>
public sealed record SyncNode(string Node, NodeRole Role, string? SlotName);
