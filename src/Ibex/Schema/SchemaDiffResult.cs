namespace Ibex.Schema;

/// <summary>The statements that make the target's schema match the source's, in the order to run them.</summary>
public sealed class SchemaDiffResult
{
    public SchemaDiffResult(IReadOnlyList<SchemaStatement> statements, bool allowHazards, IReadOnlyList<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(statements);
        Statements = statements;
        Warnings = warnings ?? [];
        var losses = statements.Where(s => s.DataLoss).SelectMany(s => s.Hazards).Where(h => h.Contains("data loss", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        RefusedHazards = allowHazards ? [] : losses;
        AllowedHazards = allowHazards ? losses : [];
    }

    public IReadOnlyList<SchemaStatement> Statements { get; }

    public bool HasDifferences => Statements.Count > 0;

    /// <summary>Data-losing steps that were not allowed (empty when hazards are allowed or there are none).</summary>
    public IReadOnlyList<string> RefusedHazards { get; }

    /// <summary>Data-losing steps included because hazards were allowed.</summary>
    public IReadOnlyList<string> AllowedHazards { get; }

    /// <summary>Things the operator should check before running the script (e.g. an order that could not be proven).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The runnable script exactly as <c>ibex schema diff</c> prints it ("" when there are no differences).</summary>
    public string ToScript() => SchemaScript.Render(Statements);
}
