using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Foreign data wrappers: handler, validator and options changed in place.</summary>
internal sealed class ForeignDataWrapperDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var w = (ForeignDataWrapperObject)obj;
        return [new($"CREATE FOREIGN DATA WRAPPER {Ident.Quote(w.Name)}{Functions(w)}{GenericOptions.Create(w.Options)};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP FOREIGN DATA WRAPPER {Ident.Quote(((ForeignDataWrapperObject)obj).Name)};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (ForeignDataWrapperObject)from;
        var t = (ForeignDataWrapperObject)to;
        var change = (f.Handler == t.Handler && f.Validator == t.Validator ? "" : Functions(f)) + GenericOptions.Change(t.Options, f.Options);
        return new AlterResult(change.Length == 0 ? [] : [new($"ALTER FOREIGN DATA WRAPPER {Ident.Quote(f.Name)}{change};")]);
    }

    static string Functions(ForeignDataWrapperObject w)
        => (w.Handler is { } h ? " HANDLER " + h.Quoted : " NO HANDLER") + (w.Validator is { } v ? " VALIDATOR " + v.Quoted : " NO VALIDATOR");
}
