namespace Ibex.Schema.Diffing;

/// <summary>
/// How to change an object in place. <see cref="RebuildsDependents"/>: dependents such as views must be dropped
/// first and created again afterwards (ALTER COLUMN … TYPE).
/// </summary>
internal sealed record AlterResult(IReadOnlyList<PlannedStatement> Statements, bool RebuildsDependents = false)
{
    /// <summary>
    /// Statements that finish the change once everything the object needs exists and what it replaces is gone
    /// (a column's new default or identity), while <see cref="Statements"/> only need new types and run before
    /// old dependencies are dropped (DROP DEFAULT before the sequence it used goes).
    /// </summary>
    public IReadOnlyList<PlannedStatement> Finish { get; init; } = [];

    public static readonly AlterResult Nothing = new([]);
}
