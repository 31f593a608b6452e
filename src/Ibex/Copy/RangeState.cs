namespace Ibex.Copy;

/// <summary>Where one range of a table's copy to one target stands.</summary>
public enum RangeState
{
    Pending,

    /// <summary>The target transaction holding the range is committing: its xid is recorded, and its fate on the target decides.</summary>
    Committing,

    Done,
}
