using Ibex.Catalog;
using Ibex.Sql;

namespace Ibex.Copy;

/// <summary>One source table to copy to one or more targets (each possibly under another name).</summary>
/// <param name="Table">The source table.</param>
/// <param name="Targets">Target node, table name there, and whether to empty it first.</param>
public sealed record CopyTask(TableInfo Table, IReadOnlyList<CopyDestination> Targets)
{
    /// <summary>Only these columns (a column list), or all writable columns when null.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Only rows matching this filter (a row filter), or all rows when null.</summary>
    public string? Where { get; init; }
}
