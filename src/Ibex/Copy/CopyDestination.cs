using Ibex.Sql;

namespace Ibex.Copy;

/// <summary>Where one copy of a table goes.</summary>
/// <param name="Node">Target node name.</param>
/// <param name="Table">Table name on that node.</param>
/// <param name="Truncate">
/// Empty the table first, in the copy's own transaction (copy mode 'always' of a one-way sync): the target's writers
/// wait for the copy, and nothing written before it is kept.
/// </param>
public sealed record CopyDestination(string Node, QualifiedName Table, bool Truncate)
{
    /// <summary>
    /// Multi-master 'always': delete only the rows last written before this time (before the sync existed), in the
    /// copy's transaction. Rows the node wrote since are kept and merged with the copy like any other conflict.
    /// </summary>
    public DateTime? ReplaceRowsOlderThan { get; init; }
}
