using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// A type created again while columns keep using it is first renamed out of the way (columns keep pointing at
/// it), then dropped once its columns are converted to the new one.
/// </summary>
internal static class TypeRenames
{
    public const string Suffix = "__ibex_old";

    public static PlannedStatement RenameOld(SchemaObject type)
    {
        var (keyword, name) = Describe(type);
        return new($"ALTER {keyword} {name.Quoted} RENAME TO {Ident.Quote(name.Name + Suffix)};");
    }

    public static PlannedStatement DropOld(SchemaObject type)
    {
        var (keyword, name) = Describe(type);
        return new($"DROP {keyword} {(name with { Name = name.Name + Suffix }).Quoted};");
    }

    static (string Keyword, QualifiedName Name) Describe(SchemaObject type) => type switch
    {
        EnumObject e => ("TYPE", e.Name),
        DomainObject d => ("DOMAIN", d.Name),
        CompositeTypeObject c => ("TYPE", c.Name),
        _ => throw new InvalidOperationException($"{type.Display} cannot be renamed out of the way"),
    };
}
