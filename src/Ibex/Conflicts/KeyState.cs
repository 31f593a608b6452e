namespace Ibex.Conflicts;

/// <summary>What the transaction being applied left at a key (<see cref="TransactionKeys"/>).</summary>
public enum KeyState
{
    /// <summary>It wrote a row there.</summary>
    Present,

    /// <summary>It left no row there (deleted, moved away, or nothing to delete).</summary>
    Absent,

    /// <summary>Its version lost to the local one: later changes of the key in the same transaction lose as well.</summary>
    Kept,
}
