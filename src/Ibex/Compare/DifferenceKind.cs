namespace Ibex.Compare;

/// <summary>How a row of a target differs from the same row of the reference (source) node.</summary>
public enum DifferenceKind
{
    /// <summary>The row exists on the source only.</summary>
    MissingOnTarget,

    /// <summary>The row exists on the target only.</summary>
    ExtraOnTarget,

    /// <summary>The row exists on both with different values.</summary>
    Different,
}
