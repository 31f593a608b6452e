using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads rewrite rules on tables and views (not the <c>_RETURN</c> rule that is a view's query).</summary>
internal static class RuleReader
{
    const string Sql = """
        SELECT r.oid, r.ev_class, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled, 'CREATE RULE ' || quote_ident(r.rulename) || ' AS'
        FROM pg_rewrite r
        JOIN pg_class c ON c.oid = r.ev_class
        WHERE r.rulename <> '_RETURN' AND c.relnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Rewrite, row.Oid(0));
            var relationKey = b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(1)));
            QualifiedName? table = (relationKey is null ? null : b.Find(relationKey)) switch
            {
                TableObject t => t.Name,
                ViewObject v => v.Name,
                _ => null,
            };
            if (b.IsExtensionMember(address) || table is null || relationKey is null)
                return;
            var name = row.GetString(2);
            var def = row.GetString(3);
            var head = row.GetString(5);
            if (!def.StartsWith(head, StringComparison.Ordinal))
                throw new IbexException($"cannot read the definition of rule {DisplayName.Part(name)} on {table.Value.Display}: unexpected pg_get_ruledef output");
            b.Add(new RuleObject
            {
                Table = table.Value,
                Name = name,
                RelationKey = relationKey,
                Body = def[head.Length..].TrimEnd().TrimEnd(';'),
                Enabled = row.Char(4),
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
