using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Foreign servers: version and options changed in place; a new wrapper or type creates the server again.</summary>
internal sealed class ForeignServerDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var s = (ForeignServerObject)obj;
        var sql = "CREATE SERVER " + Ident.Quote(s.Name);
        if (s.Type is { } type)
            sql += " TYPE " + Ident.Literal(type);
        if (s.Version is { } version)
            sql += " VERSION " + Ident.Literal(version);
        return [new(sql + " FOREIGN DATA WRAPPER " + Ident.Quote(s.Wrapper) + GenericOptions.Create(s.Options) + ";")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP SERVER {Ident.Quote(((ForeignServerObject)obj).Name)};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (ForeignServerObject)from;
        var t = (ForeignServerObject)to;
        if (f.Wrapper != t.Wrapper || f.Type != t.Type)
            return null;
        var change = (f.Version == t.Version ? "" : " VERSION " + (f.Version is { } v ? Ident.Literal(v) : "NULL")) + GenericOptions.Change(t.Options, f.Options);
        return new AlterResult(change.Length == 0 ? [] : [new($"ALTER SERVER {Ident.Quote(f.Name)}{change};")]);
    }
}
