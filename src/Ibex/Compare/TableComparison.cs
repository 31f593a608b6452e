using Ibex.Sql;

namespace Ibex.Compare;

/// <summary>The outcome of comparing one table between the source and one target.</summary>
public sealed class TableComparison(QualifiedName table, string source, string target)
{
    public QualifiedName Table { get; } = table;

    public string Source { get; } = source;

    public string Target { get; } = target;

    /// <summary>Columns that identify a row; empty when the table was compared by whole rows.</summary>
    public IReadOnlyList<string> KeyColumns { get; internal set; } = [];

    /// <summary>Columns compared (those present on both nodes), in the source's order.</summary>
    public IReadOnlyList<string> Columns { get; internal set; } = [];

    /// <summary>Generated columns among <see cref="Columns"/>: compared, but never written by repair SQL.</summary>
    public IReadOnlyList<string> GeneratedColumns { get; internal set; } = [];

    public long SourceRows { get; internal set; }

    public long TargetRows { get; internal set; }

    /// <summary>Rows that differ.</summary>
    public IReadOnlyList<RowDifference> Differences { get; internal set; } = [];

    /// <summary>Rows that differed at first but matched when looked at again: changes that were on their way.</summary>
    public IReadOnlyList<RowDifference> InFlight { get; internal set; } = [];

    /// <summary>Things the operator should know (columns not compared, comparison by whole rows).</summary>
    public IReadOnlyList<string> Notes { get; internal set; } = [];

    /// <summary>Set when the table could not be compared (missing on a node, key column missing); counts as a difference.</summary>
    public string? Error { get; internal set; }

    public bool Identical => Error is null && Differences.Count == 0;

    public long Count(DifferenceKind kind) => Differences.Where(d => d.Kind == kind).Sum(d => d.Count);
}
