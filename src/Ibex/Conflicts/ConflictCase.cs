namespace Ibex.Conflicts;

/// <summary>One remote change against the local versions it met: the input of <see cref="ConflictRules.Decide"/>.</summary>
/// <param name="Kind">How they met.</param>
/// <param name="Local">
/// The local versions: the row at the change's key, a delete (tombstone), or the rows holding its unique values. Empty
/// for <see cref="ConflictKind.UpdateMissing"/> and <see cref="ConflictKind.DeleteMissing"/>.
/// </param>
/// <param name="Remote">The remote change's version (its commit time on its node, and that node).</param>
public sealed record ConflictCase(ConflictKind Kind, IReadOnlyList<LocalVersion> Local, RowVersion Remote)
{
    /// <summary>Whether any local version was written without the remote node having seen it.</summary>
    public bool Concurrent => Local.Any(l => l.Concurrent);

    /// <summary>
    /// The writer of a version of the key that reached this node had seen the remote change (<see cref="ConflictRules.IsSuperseded"/>):
    /// it was replaced on that node, and loses here too.
    /// </summary>
    public bool Superseded { get; init; }

    /// <summary>Strategy <c>abort</c>: an operator resumed the sync past this change (it is then decided as <c>latest</c>).</summary>
    public bool OperatorResolved { get; init; }

    /// <summary>
    /// Strategy <c>custom</c>: the conflict is over one local row at the change's own key (not a key change), which the
    /// function's row can replace. Conflicts over rows at other keys are decided as under <c>latest</c>.
    /// </summary>
    public bool OneRow { get; init; } = true;
}
