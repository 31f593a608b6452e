using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads user triggers on tables and views (not internal ones, not partitions' clones of their parent's).</summary>
internal static class TriggerReader
{
    const string Sql = """
        SELECT t.oid, t.tgrelid, t.tgname, t.tgconstraint <> 0, pg_get_triggerdef(t.oid), t.tgenabled,
               'CREATE ' || CASE WHEN t.tgconstraint <> 0 THEN 'CONSTRAINT ' ELSE '' END || 'TRIGGER ' || quote_ident(t.tgname) || ' '
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND c.relnamespace = ANY($1)
          -- Ibex's own (multi-master unique-value tombstones), present on every member: not part of the user's schema.
          AND NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = t.tgfoid AND n.nspname = 'ibex_mm')
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var relationKey = b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(1)));
            var relation = relationKey is null ? null : b.Find(relationKey);
            var table = relation switch
            {
                TableObject t => t.Name,
                ViewObject v => v.Name,
                _ => (QualifiedName?)null,
            };
            if (table is null || relationKey is null)
                return;
            var name = row.GetString(2);
            var def = row.GetString(4);
            var head = row.GetString(6);
            if (!def.StartsWith(head, StringComparison.Ordinal))
                throw new IbexException($"cannot read the definition of trigger {DisplayName.Part(name)} on {table.Value.Display}: unexpected pg_get_triggerdef output");
            b.Add(new TriggerObject
            {
                Table = table.Value,
                Name = name,
                RelationKey = relationKey,
                IsConstraint = row.GetBoolean(3),
                Body = def[head.Length..],
                Enabled = row.Char(5),
            }, new ObjectAddress(CatalogClass.Trigger, row.Oid(0)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
