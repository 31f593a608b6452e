namespace Ibex.Conflicts;

/// <summary>What a <see cref="ConflictLookup"/> reads.</summary>
public enum ConflictLookupKind
{
    /// <summary>A local row, by key or by unique values, with its version; locked.</summary>
    Row,

    /// <summary>The tombstones of a deleted key: one version per node that deleted it.</summary>
    Tombstone,

    /// <summary>The value tombstones of a unique value given up here: one version per node whose version held it last.</summary>
    ValueTombstone,

    /// <summary>
    /// A transaction lock on a unique value, taken before its rows and value tombstones are read (and again first in the
    /// applying transaction): a version dropped on arrival leaves only a value tombstone, no row to lock.
    /// </summary>
    ValueLock,

    /// <summary>What the writers of versions of a key that reached this node had seen: one time per third node.</summary>
    Seen,
}
