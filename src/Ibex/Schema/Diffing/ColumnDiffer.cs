using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Columns of existing tables (a new table gets its columns in CREATE TABLE): ADD and DROP COLUMN, and type,
/// default, NOT NULL, identity and generation changes in place.
/// </summary>
internal sealed class ColumnDiffer : IObjectDiffer
{
    const string RewriteReason = "rewrites the table under an ACCESS EXCLUSIVE lock";

    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        var c = (ColumnObject)obj;
        if (source.ChildrenOf(c.ParentKey).Select(source.Find).OfType<ColumnObject>().Any(o => o.Position > c.Position && context.To.Find(o.Key) is not null))
            context.Warnings.Add($"{c.Display} is added after the existing columns (PostgreSQL cannot insert a column in the middle), so the column order differs from the --from table");
        var hazards = new List<Hazard>();
        var action = "add " + c.Display;
        if ((c.Generated is not null && !c.Virtual) || c.Identity is not null || (c.Default is not null && c.DefaultVolatile))
            hazards.Add(Hazard.Lock(action, RewriteReason));
        else if (c.NotNull && c.Default is null)
            hazards.Add(Hazard.Lock(action, "fails if the table has rows: NOT NULL without a default"));
        return [new(ColumnSql.AlterTable(c.Table) + "ADD COLUMN " + ColumnSql.Definition(c) + ";", [.. hazards])];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context)
    {
        var c = (ColumnObject)obj;
        return [new(ColumnSql.AlterTable(c.Table) + "DROP COLUMN " + Ident.Quote(c.Name) + ";", Hazard.Loss("drop " + c.Display))];
    }

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => AlterCore((ColumnObject)from, (ColumnObject)to);

    static AlterResult? AlterCore(ColumnObject f, ColumnObject t)
    {
        // PostgreSQL 15 cannot change a generation expression or turn a column into a generated one, and no version
        // turns a stored generated column into a virtual one or a virtual one into a plain column (DROP EXPRESSION).
        if ((f.Generated is not null && (f.Generated != t.Generated || f.Virtual != t.Virtual)) || (t.Virtual && f.Generated is null))
            return null;
        var alter = ColumnSql.AlterColumn(f);
        var s = new List<PlannedStatement>();
        var finish = new List<PlannedStatement>();
        if (f.Generated is null && t.Generated is not null)
            s.Add(new(alter + "DROP EXPRESSION;"));
        if (t.Identity is not null && f.Identity is null)
            s.Add(new(alter + "DROP IDENTITY;"));
        var retyped = f.Type != t.Type || f.Collation != t.Collation;
        var dropDefault = t.Default is not null && (f.Default != t.Default || retyped);
        if (dropDefault)
            s.Add(new(alter + "DROP DEFAULT;"));
        if (retyped)
            s.Add(Retype(f, t, alter));
        if (!f.NotNull && t.NotNull)
            s.Add(new(alter + "DROP NOT NULL;"));
        if (f.NotNull && !t.NotNull)
            s.Add(new(alter + "SET NOT NULL;", Hazard.Lock("set not null on " + f.Display, "scans the table under an ACCESS EXCLUSIVE lock")));
        if (f.Default is not null && (dropDefault || t.Default is null))
            finish.Add(new(alter + "SET DEFAULT " + f.Default + ";"));
        if (f.Identity is { } identity)
        {
            if (t.Identity is null)
                finish.Add(new(alter + "ADD " + ColumnSql.IdentityClause(f, identity) + ";"));
            else
                AlterIdentity(f, t, alter, finish);
        }
        return new AlterResult(s, RebuildsDependents: retyped) { Finish = finish };
    }

    /// <summary>
    /// Converts a column to its type created again under the same name (the old one renamed): through text (every
    /// type has a text input), with the default set again afterwards, plus whatever else changed.
    /// </summary>
    public static AlterResult Convert(ColumnObject f, ColumnObject t, bool composite)
    {
        var alter = ColumnSql.AlterColumn(f);
        var s = new List<PlannedStatement>();
        if (t.Default is not null)
            s.Add(new(alter + "DROP DEFAULT;"));
        var via = f.IsArray ? "::text[]::" : "::text::";
        var action = "convert " + f.Display + " to the new " + f.Type;
        s.Add(new(alter + "TYPE " + f.Type + " USING " + Ident.Quote(f.Name) + via + f.Type + ";", composite
            ? Hazard.Loss(action, "data loss: fields are matched by position; " + RewriteReason)
            : Hazard.Lock(action, RewriteReason + "; fails if a value does not fit the new type")));
        var rest = AlterCore(f, t with { Default = null });
        if (rest is not null)
            s.AddRange(rest.Statements);
        return new AlterResult(s, RebuildsDependents: true) { Finish = rest?.Finish ?? [] };
    }

    static PlannedStatement Retype(ColumnObject f, ColumnObject t, string alter)
    {
        var collate = f.Collation is { } c ? " COLLATE " + c.Quoted : "";
        var action = $"change type of {f.Display} from {t.Type} to {f.Type}";
        switch (TypeChange.Classify(t.Type, f.Type))
        {
            case TypeChangeKind.NoRewrite when f.Collation == t.Collation:
                return new(alter + "TYPE " + f.Type + collate + ";");
            case TypeChangeKind.NoRewrite:
                return new(alter + "TYPE " + f.Type + collate + ";", Hazard.Lock(action.Replace("type", "collation", StringComparison.Ordinal), "rebuilds indexes on the column under an ACCESS EXCLUSIVE lock"));
            case TypeChangeKind.Rewrite:
                return new(alter + "TYPE " + f.Type + collate + ";", Hazard.Lock(action, RewriteReason));
            default:
                return new(alter + "TYPE " + f.Type + collate + " USING " + Ident.Quote(f.Name) + "::" + f.Type + ";",
                    Hazard.Loss(action, "data loss: values may not fit or convert; " + RewriteReason));
        }
    }

    static void AlterIdentity(ColumnObject f, ColumnObject t, string alter, List<PlannedStatement> s)
    {
        if (f.Identity != t.Identity)
            s.Add(new(alter + (f.Identity == 'a' ? "SET GENERATED ALWAYS;" : "SET GENERATED BY DEFAULT;")));
        if (f.IdentitySequence is { } wanted && t.IdentitySequence is { } old && wanted != old)
            s.Add(new($"ALTER SEQUENCE {old.Quoted} RENAME TO {Ident.Quote(wanted.Name)};"));
        if (f.IdentityOptions is { } fo && t.IdentityOptions is { } to)
        {
            var changes = fo.Changes(to, includeType: false);
            if (changes.Count > 0)
                s.Add(new(alter + string.Join(" ", changes.Select(c => "SET " + c)) + ";"));
        }
    }
}
