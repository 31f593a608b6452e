using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads enums, domains (with their CHECK constraints) and stand-alone composite types.</summary>
internal static class TypeReader
{
    const string EnumsSql = """
        SELECT t.oid, n.nspname, t.typname,
               coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typtype = 'e' AND t.typnamespace = ANY($1)
        GROUP BY t.oid, n.nspname, t.typname
        """;

    const string DomainsSql = """
        SELECT t.oid, n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),
               CASE WHEN t.typcollation <> bt.typcollation THEN cn.nspname END,
               CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END,
               pg_get_expr(t.typdefaultbin, 0), t.typnotnull
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_collation co ON co.oid = t.typcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE t.typtype = 'd' AND t.typnamespace = ANY($1)
        """;

    const string DomainConstraintsSql = """
        SELECT k.oid, k.contypid, k.conname, pg_get_constraintdef(k.oid), k.convalidated
        FROM pg_constraint k
        JOIN pg_type t ON t.oid = k.contypid
        WHERE k.contype = 'c' AND t.typnamespace = ANY($1)
        ORDER BY k.contypid, k.conname
        """;

    const string CompositesSql = """
        SELECT t.oid, t.typrelid, n.nspname, t.typname
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_class c ON c.oid = t.typrelid
        WHERE t.typtype = 'c' AND c.relkind = 'c' AND t.typnamespace = ANY($1)
        """;

    const string AttributesSql = """
        SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod),
               CASE WHEN a.attcollation <> at.typcollation THEN cn.nspname END,
               CASE WHEN a.attcollation <> at.typcollation THEN co.collname END
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_type at ON at.oid = a.atttypid
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE c.relkind = 'c' AND c.relnamespace = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(EnumsSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Type, row.Oid(0));
            if (!b.IsExtensionMember(address))
                b.Add(new EnumObject(new QualifiedName(row.GetString(1), row.GetString(2)), row.Strings(3)), address);
        }, cancellationToken).ConfigureAwait(false);

        var domains = new List<(ObjectAddress Address, QualifiedName Name, string Base, QualifiedName? Collation, string? Default, bool NotNull)>();
        await session.QueryAsync(DomainsSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Type, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            QualifiedName? collation = row.IsDBNull(4) ? null : new QualifiedName(row.GetString(4), row.GetString(5));
            domains.Add((address, new QualifiedName(row.GetString(1), row.GetString(2)), row.GetString(3), collation, row.StringOrNull(6), row.GetBoolean(7)));
        }, cancellationToken).ConfigureAwait(false);
        var checks = new Dictionary<uint, List<(uint Oid, DomainConstraint Constraint)>>();
        await session.QueryAsync(DomainConstraintsSql, row =>
        {
            var validated = row.GetBoolean(4);
            var def = row.GetString(3);
            if (!validated && def.EndsWith(" NOT VALID", StringComparison.Ordinal))
                def = def[..^" NOT VALID".Length];
            if (!checks.TryGetValue(row.Oid(1), out var list))
                checks[row.Oid(1)] = list = [];
            list.Add((row.Oid(0), new DomainConstraint(row.GetString(2), def, validated)));
        }, cancellationToken).ConfigureAwait(false);
        foreach (var d in domains)
        {
            var own = checks.GetValueOrDefault(d.Address.ObjectId) ?? [];
            var domain = new DomainObject(d.Name, d.Base, d.Collation, d.Default, d.NotNull, [.. own.Select(c => c.Constraint)]);
            b.Add(domain, d.Address);
            foreach (var (oid, c) in own)
            {
                var address = new ObjectAddress(CatalogClass.Constraint, oid);
                b.Register(address, domain.Key);
                b.RegisterCommentTarget(address, domain.Key, domain.Display, "CONSTRAINT " + Ident.Quote(c.Name) + " ON DOMAIN " + d.Name.Quoted);
            }
        }

        var composites = new List<(ObjectAddress Type, uint Relation, QualifiedName Name)>();
        await session.QueryAsync(CompositesSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Type, row.Oid(0));
            if (!b.IsExtensionMember(address))
                composites.Add((address, row.Oid(1), new QualifiedName(row.GetString(2), row.GetString(3))));
        }, cancellationToken).ConfigureAwait(false);
        var attributes = new Dictionary<uint, List<TypeAttribute>>();
        await session.QueryAsync(AttributesSql, row =>
        {
            if (!attributes.TryGetValue(row.Oid(0), out var list))
                attributes[row.Oid(0)] = list = [];
            QualifiedName? collation = row.IsDBNull(3) ? null : new QualifiedName(row.GetString(3), row.GetString(4));
            list.Add(new TypeAttribute(row.GetString(1), row.GetString(2), collation));
        }, cancellationToken).ConfigureAwait(false);
        foreach (var c in composites)
        {
            var type = new CompositeTypeObject(c.Name, attributes.GetValueOrDefault(c.Relation) ?? []);
            b.Add(type, c.Type);
            b.Register(new ObjectAddress(CatalogClass.Class, c.Relation), type.Key);
        }
    }
}
