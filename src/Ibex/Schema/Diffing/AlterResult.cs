namespace Ibex.Schema.Diffing;

/// <summary>
/// How to change an object in place. <see cref="RebuildsDependents"/>: dependents such as views must be dropped
/// first and created again afterwards (ALTER COLUMN … TYPE).
/// </summary>
internal sealed record AlterResult(IReadOnlyList<PlannedStatement> Statements, bool RebuildsDependents = false)
{
    public static readonly AlterResult Nothing = new([]);
}
