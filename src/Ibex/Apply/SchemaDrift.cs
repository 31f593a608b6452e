using Ibex.Catalog;
using Ibex.Changes;
using Ibex.Sql;

namespace Ibex.Apply;

/// <summary>
/// Compares what a source now sends for a table (its RELATION message, with the source catalog for type names) with the
/// target table: columns the target lacks and columns whose type cannot take the source's values
/// (<see cref="TypeCompatibility"/>). Columns the target has in addition, and column order, never matter.
/// </summary>
public sealed record SchemaDrift(QualifiedName Target, IReadOnlyList<ColumnInfo> Missing, IReadOnlyList<(ColumnInfo Source, ColumnInfo Target)> Changed)
{
    public bool Any => Missing.Count > 0 || Changed.Count > 0;

    public static SchemaDrift Compare(RelationInfo relation, TableInfo target, TableInfo? source)
    {
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(target);
        var missing = new List<ColumnInfo>();
        var changed = new List<(ColumnInfo, ColumnInfo)>();
        foreach (var name in relation.Columns)
        {
            var src = source?.Column(name) ?? new ColumnInfo(name, 0, "text", false, false, false, false);
            var tgt = target.Column(name);
            if (tgt is null)
                missing.Add(src);
            // The source's catalog may already be past this layout (a type changed since): judge by the layout's own type.
            else if (source?.Column(name) is { } s && s.TypeOid == relation.ColumnTypes[relation.Columns.ToList().IndexOf(name)]
                     && TypeCompatibility.Refusal(s.TypeName, tgt.TypeName) is not null)
                changed.Add((s, tgt));
        }
        return new SchemaDrift(target.Name, missing, changed);
    }

    /// <summary>The source's <paramref name="columns"/> (an initial copy's, as in its snapshot) against the target table.</summary>
    public static SchemaDrift Compare(IEnumerable<ColumnInfo> columns, TableInfo target)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(target);
        var list = columns.ToList();
        return new SchemaDrift(target.Name, [.. list.Where(c => target.Column(c.Name) is null)],
            [.. list.Select(c => (Source: c, Target: target.Column(c.Name))).Where(p => p.Target is not null && TypeCompatibility.Refusal(p.Source.TypeName, p.Target.TypeName) is not null).Select(p => (p.Source, p.Target!))]);
    }

    /// <summary>
    /// The statements that make the target able to take the source's rows again. A default comes along: PostgreSQL
    /// fills existing rows with it on the source without logging row changes, so the target must do the same.
    /// </summary>
    public IReadOnlyList<string> FixStatements
        => [.. Missing.Select(c => $"ALTER TABLE {Target.Quoted} ADD COLUMN {Ident.Quote(c.Name)} {c.TypeName}{(c.DefaultExpression is { } d ? " DEFAULT " + d : "")};"),
            .. Changed.Select(c => $"ALTER TABLE {Target.Quoted} ALTER COLUMN {Ident.Quote(c.Source.Name)} TYPE {c.Source.TypeName} USING {Ident.Quote(c.Source.Name)}::{c.Source.TypeName};")];

    public string Describe()
    {
        var parts = new List<string>();
        if (Missing.Count > 0)
            parts.Add($"has no column {string.Join(", ", Missing.Select(c => Ident.Quote(c.Name)))} (added on the source)");
        if (Changed.Count > 0)
            parts.Add(string.Join(", ", Changed.Select(c => $"column {Ident.Quote(c.Source.Name)} is {c.Target.TypeName} here but {c.Source.TypeName} on the source ({TypeCompatibility.Refusal(c.Source.TypeName, c.Target.TypeName)})")));
        return $"table {Target.Display} {string.Join("; ", parts)}";
    }
}
