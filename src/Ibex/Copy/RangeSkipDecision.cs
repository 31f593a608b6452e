namespace Ibex.Copy;

/// <summary>What the stream does with a change of a table copied in ranges at different snapshots.</summary>
public enum RangeSkipDecision
{
    /// <summary>Committed after the copy of every row it touches: applied as it is.</summary>
    Apply,

    /// <summary>Already in the copy.</summary>
    Skip,

    /// <summary>A key update whose new row is in the copy but whose old row is not: only the old row is deleted.</summary>
    DeleteOld,

    /// <summary>A key update whose old row is gone in the copy but whose new row is not there: only the new row is inserted.</summary>
    InsertNew,
}
