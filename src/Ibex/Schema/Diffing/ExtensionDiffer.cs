using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Extensions, at the source's version when the target server has it (managed servers often ship other
/// versions); what cannot be matched is reported as a warning rather than written as SQL that would fail.
/// </summary>
internal sealed class ExtensionDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var e = (ExtensionObject)obj;
        var sql = $"CREATE EXTENSION {Ident.Quote(e.Name)} WITH SCHEMA {Ident.Quote(e.SchemaName)}";
        if (!context.To.AvailableExtensions.TryGetValue(e.Name, out var versions))
            context.Warnings.Add($"extension {e.Name} is not available on the --to server; install it there before running the script");
        else if (versions.Contains(e.Version))
            sql += " VERSION " + Ident.Literal(e.Version);
        else
            context.Warnings.Add($"extension {e.Name} version {e.Version} is not available on the --to server; the script installs its default version");
        return [new(sql + ";")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var e = (ExtensionObject)obj;
        return [new($"DROP EXTENSION {Ident.Quote(e.Name)};", Hazard.Lock("drop extension " + DisplayName.Part(e.Name), "drops every object the extension created"))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var f = (ExtensionObject)from;
        var t = (ExtensionObject)to;
        var statements = new List<PlannedStatement>();
        if (f.SchemaName != t.SchemaName)
            statements.Add(new($"ALTER EXTENSION {Ident.Quote(f.Name)} SET SCHEMA {Ident.Quote(f.SchemaName)};"));
        if (f.Version != t.Version)
        {
            if (t.UpdateTargets.Contains(f.Version))
                statements.Add(new($"ALTER EXTENSION {Ident.Quote(f.Name)} UPDATE TO {Ident.Literal(f.Version)};"));
            else
                context.Warnings.Add($"extension {f.Name} is at version {t.Version} on the --to server, which cannot update it to {f.Version}; left as it is");
        }
        return new AlterResult(statements);
    }
}
