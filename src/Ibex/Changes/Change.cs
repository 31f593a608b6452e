namespace Ibex.Changes;

/// <summary>
/// One row change of a source transaction. <see cref="OldRow"/> is the replica identity (key columns only, others
/// NULL) or the full old row with REPLICA IDENTITY FULL; it is absent on UPDATE when the key did not change.
/// A TRUNCATE carries every truncated relation in <see cref="Truncated"/>.
/// </summary>
public sealed record Change(ChangeKind Kind, RelationInfo Relation, RowImage? OldRow, RowImage? NewRow, IReadOnlyList<RelationInfo>? Truncated = null, bool Cascade = false, bool RestartIdentity = false)
{
    /// <summary>Approximate memory held by this change.</summary>
    public int ByteSize => 104 + (OldRow?.ByteSize ?? 0) + (NewRow?.ByteSize ?? 0);
}
