namespace Ibex.Control.Model;

/// <summary>One direction of data flow in a sync: changes of <see cref="Source"/> applied on <see cref="Target"/> under <see cref="OriginName"/>.</summary>
public sealed record LinkRecord(string Source, string Target, string OriginName)
{
    /// <summary>
    /// A node that joined a live multi-master sync (<c>ibex sync add-node</c>) gets one copy, from this node; until that
    /// copy is done the link waits, and then starts where the copy ends (set on the target by the copy:
    /// <see cref="Daemon.JoinPositions"/>). Null for every other link, and once the link has started.
    /// </summary>
    public string? StartAfterCopyFrom { get; init; }
}
