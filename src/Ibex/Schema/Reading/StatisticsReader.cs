using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads extended statistics objects (the target is read through jsonb: its type differs by version).</summary>
internal static class StatisticsReader
{
    const string Sql = """
        SELECT s.oid, n.nspname, s.stxname, s.stxrelid, pg_get_statisticsobjdef(s.oid), (to_jsonb(s) ->> 'stxstattarget')::int,
               'CREATE STATISTICS ' || quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
        FROM pg_statistic_ext s
        JOIN pg_namespace n ON n.oid = s.stxnamespace
        WHERE s.stxnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.StatisticExt, row.Oid(0));
            if (b.IsExtensionMember(address) || b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(3))) is not { } tableKey)
                return;
            var name = new QualifiedName(row.GetString(1), row.GetString(2));
            var def = row.GetString(4);
            var head = row.GetString(6);
            if (!def.StartsWith(head, StringComparison.Ordinal))
                throw new IbexException($"cannot read the definition of statistics {name.Display}: unexpected pg_get_statisticsobjdef output");
            int? target = row.IsDBNull(5) || row.GetInt32(5) < 0 ? null : row.GetInt32(5);
            b.Add(new StatisticsObject { Name = name, TableKey = tableKey, Body = def[head.Length..], Target = target }, address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
