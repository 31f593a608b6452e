using Ibex.Catalog;
using Ibex.Control.Model;
using Ibex.Sql;

namespace Ibex.Setup;

/// <summary>A table of a sync as planned: its source description, its name on targets, and its row filter and column list.</summary>
public sealed record PlannedTable(TableInfo Source, QualifiedName Target, string? Where, IReadOnlyList<string>? Columns)
{
    public QualifiedName Name => Source.Name;

    /// <summary>The columns that replicate (all writable ones unless a column list limits them).</summary>
    public IEnumerable<ColumnInfo> ReplicatedColumns => Columns is null ? Source.WritableColumns : Source.WritableColumns.Where(c => Columns.Contains(c.Name));

    /// <summary>
    /// This table's entry in CREATE/ALTER PUBLICATION: name, column list, row filter. ONLY: an inheritance child is
    /// published (and replicates) as itself, never as part of its parent.
    /// </summary>
    public string PublicationClause => "ONLY " + Source.Name.Quoted
        + (Columns is null ? "" : " (" + Ident.QuoteList(Columns) + ")")
        + (Where is null ? "" : " WHERE (" + Where + ")");

    public TableOptions Options(string? conflict = null) => new()
    {
        Conflict = conflict,
        TargetSchema = Target == Source.Name ? null : Target.Schema,
        TargetName = Target == Source.Name ? null : Target.Name,
        Where = Where,
        Columns = Columns,
    };
}
