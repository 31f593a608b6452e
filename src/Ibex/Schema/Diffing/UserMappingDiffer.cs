using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// User mappings with their options, changed in place. Secret options (passwords) are never written: the
/// operator is told, in a warning, which ones to set by hand.
/// </summary>
internal sealed class UserMappingDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = (UserMappingObject)obj;
        WarnSecrets(m, m.Secrets, context);
        return [new($"CREATE USER MAPPING FOR {m.UserSql} SERVER {Ident.Quote(m.Server)}{GenericOptions.Create(m.Options)};")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var m = (UserMappingObject)obj;
        return [new($"DROP USER MAPPING FOR {m.UserSql} SERVER {Ident.Quote(m.Server)};")];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var f = (UserMappingObject)from;
        var t = (UserMappingObject)to;
        WarnSecrets(f, f.Secrets.Except(t.Secrets, StringComparer.Ordinal).ToList(), context);
        // A secret the source no longer has is dropped (its value is never needed for that).
        var change = GenericOptions.Change([.. t.Options, .. t.Secrets.Except(f.Secrets, StringComparer.Ordinal).Select(s => s + "=")], f.Options);
        return new AlterResult(change.Length == 0 ? [] : [new($"ALTER USER MAPPING FOR {f.UserSql} SERVER {Ident.Quote(f.Server)}{change};")]);
    }

    static void WarnSecrets(UserMappingObject m, IReadOnlyList<string> secrets, DiffContext context)
    {
        if (secrets.Count > 0)
            context.Warnings.Add($"{m.Display} has {string.Join(", ", secrets)} set on --from, which the script does not copy; set it on --to with ALTER USER MAPPING … OPTIONS (ADD …)");
    }
}
