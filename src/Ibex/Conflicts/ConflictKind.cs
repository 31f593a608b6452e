namespace Ibex.Conflicts;

/// <summary>
/// How a remote change met the receiving node's own data, named as PostgreSQL (18, 19) names its conflict kinds
/// (<see cref="ConflictKindNames"/>). "Local rows" are rows this node holds that the remote change's node had not seen.
/// </summary>
public enum ConflictKind
{
    /// <summary>A remote insert met a local row with the same key, or one local row holding one of its unique values.</summary>
    InsertExists,

    /// <summary>A remote update met a local row at its key last written by another node.</summary>
    UpdateOriginDiffers,

    /// <summary>A remote update's new values (a new key, or a unique value) are held by one other local row.</summary>
    UpdateExists,

    /// <summary>
    /// A remote update (or an insert) met a key deleted on this node, or a unique value a row here gave up (deleted, or
    /// changed to another value): its tombstone says which version and when.
    /// </summary>
    UpdateDeleted,

    /// <summary>A remote update met no row and no tombstone: the row never reached this node, or its tombstone was purged.</summary>
    UpdateMissing,

    /// <summary>A remote delete met a local row last written by another node.</summary>
    DeleteOriginDiffers,

    /// <summary>A remote delete met no row: it was deleted here too, or never reached this node.</summary>
    DeleteMissing,

    /// <summary>A remote insert or update clashes with several local rows at once (its key and unique values).</summary>
    MultipleUniqueConflicts,
}
