using Ibex.Catalog;
using Ibex.Sql;

namespace Ibex.Setup;

/// <summary>
/// Checks that another node's copy of a source table can receive its changes: the same columns (matched by name, order
/// does not matter), each of a type that takes every source value unchanged (<see cref="TypeCompatibility"/>; both ways
/// between the sources of a multi-master sync); extra target columns must be nullable or have a default.
/// </summary>
public static class TableComparer
{
    /// <summary>Problems with <paramref name="other"/> as a copy of <paramref name="source"/>, as short phrases.</summary>
    public static IReadOnlyList<string> Problems(TableInfo source, TableInfo? other) => Problems(new PlannedTable(source, source.Name, null, null), other);

    /// <summary>
    /// Problems with <paramref name="other"/> as the target of a planned table (only its replicated columns matter);
    /// <paramref name="bothWays"/> for another source of a multi-master sync, whose changes flow back.
    /// </summary>
    public static List<string> Problems(PlannedTable planned, TableInfo? other, bool bothWays = false)
    {
        ArgumentNullException.ThrowIfNull(planned);
        var source = planned.Source;
        if (other is null)
            return [$"missing table {planned.Target.Display}"];
        var problems = new List<string>();
        foreach (var col in planned.ReplicatedColumns)
        {
            var o = other.Column(col.Name);
            if (o is null)
                problems.Add($"{source.Name.Display}: missing column {QuotedIfNeeded(col.Name)} {col.TypeName}");
            else if ((TypeCompatibility.Refusal(col.TypeName, o.TypeName) ?? (bothWays ? TypeCompatibility.Refusal(o.TypeName, col.TypeName) : null)) is { } why)
                problems.Add($"{source.Name.Display}: column {QuotedIfNeeded(col.Name)} is {o.TypeName} here but {col.TypeName} on the source ({why})");
            else if (o.Generated)
                problems.Add($"{source.Name.Display}: column {QuotedIfNeeded(col.Name)} is generated here but not on the source");
        }
        foreach (var col in other.Columns)
        {
            if (!planned.ReplicatedColumns.Any(c => c.Name == col.Name) && col.NotNull && !col.HasDefault && !col.Generated)
                problems.Add($"{source.Name.Display}: extra column {QuotedIfNeeded(col.Name)} is NOT NULL without a default, so replicated inserts would fail");
        }
        return problems;
    }

    static string QuotedIfNeeded(string name) => new QualifiedName("x", name).Display[2..];
}
