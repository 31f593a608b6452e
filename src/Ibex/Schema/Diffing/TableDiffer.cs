using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Tables: CREATE TABLE with every column inline (constraints and indexes follow as their own statements), and
/// the table-wide switches (row-level security, logged, storage parameters, partition bounds) in place.
/// </summary>
internal sealed class TableDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        var t = (TableObject)obj;
        var columns = source.ChildrenOf(t.Key).Select(source.Find).OfType<ColumnObject>().OrderBy(c => c.Position).ToList();
        var sql = "CREATE " + (t.Unlogged ? "UNLOGGED " : "") + "TABLE " + t.Name.Quoted;
        if (t.PartitionOf is { } parent)
            sql += " PARTITION OF " + parent.Quoted + (columns.Count > 0 ? " (" + string.Join(", ", columns.Select(ColumnSql.Definition)) + ")" : "") + " " + t.PartitionBound;
        else
            sql += " (" + (columns.Count == 0 ? "" : "\n    " + string.Join(",\n    ", columns.Select(ColumnSql.Definition)) + "\n") + ")";
        if (t.Inherits.Count > 0)
            sql += " INHERITS (" + string.Join(", ", t.Inherits.Select(i => i.Quoted)) + ")";
        if (t.PartitionKey is { } key)
            sql += " PARTITION BY " + key;
        if (t.Options.Count > 0)
            sql += " WITH (" + string.Join(", ", t.Options.Select(RelOptions.Set)) + ")";
        var statements = new List<PlannedStatement> { new(sql + ";") };
        if (t.RowSecurity)
            statements.Add(new(ColumnSql.AlterTable(t.Name) + "ENABLE ROW LEVEL SECURITY;"));
        if (t.ForceRowSecurity)
            statements.Add(new(ColumnSql.AlterTable(t.Name) + "FORCE ROW LEVEL SECURITY;"));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var t = (TableObject)obj;
        return [new("DROP TABLE " + t.Name.Quoted + ";", Hazard.Loss("drop " + t.Display))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (TableObject)from;
        var t = (TableObject)to;
        if (f.PartitionKey != t.PartitionKey || (f.PartitionOf is null) != (t.PartitionOf is null)
            || !f.Inherits.SequenceEqual(t.Inherits))
            return null;
        var alter = ColumnSql.AlterTable(f.Name);
        var statements = new List<PlannedStatement>();
        if (f.PartitionOf is { } parent && (parent != t.PartitionOf || f.PartitionBound != t.PartitionBound))
        {
            statements.Add(new(ColumnSql.AlterTable(t.PartitionOf!.Value) + "DETACH PARTITION " + t.Name.Quoted + ";"));
            statements.Add(new(ColumnSql.AlterTable(parent) + "ATTACH PARTITION " + f.Name.Quoted + " " + f.PartitionBound + ";",
                Hazard.Lock("attach partition " + f.Name.Display, "scans the partition to check its bound")));
        }
        if (f.Unlogged != t.Unlogged)
            statements.Add(new(alter + (f.Unlogged ? "SET UNLOGGED;" : "SET LOGGED;"),
                Hazard.Lock("set " + (f.Unlogged ? "unlogged " : "logged ") + f.Display, "rewrites the table under an ACCESS EXCLUSIVE lock")));
        var removed = t.Options.Select(RelOptions.Name).Except(f.Options.Select(RelOptions.Name), StringComparer.Ordinal).ToList();
        if (removed.Count > 0)
            statements.Add(new(alter + "RESET (" + string.Join(", ", removed.Select(RelOptions.QuoteName)) + ");"));
        var changed = f.Options.Except(t.Options, StringComparer.Ordinal).ToList();
        if (changed.Count > 0)
            statements.Add(new(alter + "SET (" + string.Join(", ", changed.Select(RelOptions.Set)) + ");"));
        if (f.RowSecurity != t.RowSecurity)
            statements.Add(new(alter + (f.RowSecurity ? "ENABLE" : "DISABLE") + " ROW LEVEL SECURITY;"));
        if (f.ForceRowSecurity != t.ForceRowSecurity)
            statements.Add(new(alter + (f.ForceRowSecurity ? "FORCE" : "NO FORCE") + " ROW LEVEL SECURITY;"));
        return new AlterResult(statements);
    }
}
