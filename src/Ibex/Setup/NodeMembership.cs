using Ibex.Conflicts;
using Ibex.Control.Model;

namespace Ibex.Setup;

/// <summary>
/// The checks of <c>ibex sync add-node</c> and <c>remove-node</c> that need no server (pure): who may join or leave a
/// sync, in which role, copied from which node. Each refusal is one line naming the node and the fix.
/// </summary>
public static class NodeMembership
{
    /// <summary>The role and copy source of a node joining <paramref name="sync"/>, or the refusal.</summary>
    /// <param name="role">Asked for (<c>--source</c> / <c>--target</c>); null: a source of a multi-master sync, a target of a one-way one.</param>
    /// <param name="copyFrom">Asked for (<c>--copy-from</c>); null: the sync's first source.</param>
    public static (NodeRole Role, string CopyFrom) Join(SyncRecord sync, string node, NodeRole? role, string? copyFrom)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var where = $"sync '{sync.Name}'";
        if (sync.Nodes.FirstOrDefault(n => n.Node == node) is { } member)
            throw new IbexException($"{where}: node '{node}' is already a member (as {member.Role.ToString().ToLowerInvariant()}); to give it another role, remove it first with 'ibex sync remove-node {sync.Name} {node}'");
        var sources = sync.Sources.Where(s => s.SlotName is not null).Select(s => s.Node).ToList();
        if (sources.Count == 0)
            throw new IbexException($"{where} has no stream (only --fullcopy targets), so node '{node}' cannot join it; make a new sync for '{node}'");
        var multiMaster = sync.Sources.Count() > 1;
        var chosen = role ?? (multiMaster ? NodeRole.Source : NodeRole.Target);
        if (chosen == NodeRole.Source && !multiMaster)
            throw new IbexException($"{where} is one-way (source '{sources[0]}'): node '{node}' can join it as --target; as a second source it would make the sync multi-master, whose tombstones and conflict handling are set up when a sync is made: create one with 'ibex sync add NAME --tables ... --source {sources[0]} --source {node}'");
        if (chosen == NodeRole.Fullcopy)
            throw new IbexException($"{where}: node '{node}' can join as --source or --target; a --fullcopy target is given when the sync is made");
        var from = copyFrom ?? sources[0];
        if (!sources.Contains(from))
            throw new IbexException($"{where}: --copy-from '{from}' is not a source of the sync (sources: {string.Join(", ", sources)}); node '{node}' is copied from one of them");
        return (chosen, from);
    }

    /// <summary>Refuses to detach <paramref name="node"/> when that would leave the sync without a source or broken.</summary>
    public static void Leave(SyncRecord sync, string node)
    {
        ArgumentNullException.ThrowIfNull(sync);
        var where = $"sync '{sync.Name}'";
        var member = sync.Nodes.FirstOrDefault(n => n.Node == node)
            ?? throw new IbexException($"{where}: node '{node}' is not a member (members: {string.Join(", ", sync.Nodes.Select(n => n.Node))}); 'ibex sync show {sync.Name}' lists them");
        var remaining = sync.Nodes.Where(n => n.Node != node).ToList();
        var sourcesLeft = remaining.Count(n => n.Role == NodeRole.Source);
        if (sourcesLeft == 0)
            throw new IbexException($"{where}: node '{node}' is its last source; remove the sync instead ('ibex sync remove {sync.Name}')");
        if (remaining.Count < 2)
            throw new IbexException($"{where}: without node '{node}' it would have a single node; remove the sync instead ('ibex sync remove {sync.Name}')");
        if (member.Role == NodeRole.Source && sync.Sources.Count() > 1 && sourcesLeft < 2)
            throw new IbexException($"{where}: without node '{node}' it would have one source, and a multi-master sync keeps at least two; add another source first ('ibex sync add-node {sync.Name} NODE --source'), or remove the sync");
        var names = remaining.Select(n => n.Node).ToList();
        foreach (var text in sync.Tables.Select(t => t.Options.Conflict).Append(sync.ConflictStrategy).OfType<string>().Distinct())
        {
            try
            {
                ConflictStrategy.Parse(text, names);
            }
            catch (IbexException)
            {
                throw new IbexException($"{where}: its conflict strategy {text} ranks node '{node}'; rank only the other nodes first (per table: 'ibex sync set-conflict'; the sync's: its conflict in 'ibex export', then 'ibex apply')");
            }
        }
    }
}
