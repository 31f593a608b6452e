using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Row-level security policies, replaced as a whole when they change (inside the transaction).</summary>
internal sealed class PolicyDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var p = (PolicyObject)obj;
        var command = p.Command switch
        {
            'r' => "SELECT",
            'a' => "INSERT",
            'w' => "UPDATE",
            'd' => "DELETE",
            _ => "ALL",
        };
        var sql = $"CREATE POLICY {Ident.Quote(p.Name)} ON {p.Table.Quoted} AS {(p.Permissive ? "PERMISSIVE" : "RESTRICTIVE")} FOR {command} TO {p.RolesSql}";
        if (p.Using is { } qual)
            sql += " USING (" + qual + ")";
        if (p.WithCheck is { } check)
            sql += " WITH CHECK (" + check + ")";
        return [new(sql + ";")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var p = (PolicyObject)obj;
        return [new($"DROP POLICY {Ident.Quote(p.Name)} ON {p.Table.Quoted};")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
