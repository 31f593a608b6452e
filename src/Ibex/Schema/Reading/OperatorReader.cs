using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads user-defined operators (not shells: those exist only as another operator's commutator or negator).</summary>
internal static class OperatorReader
{
    const string Sql = """
        SELECT o.oid, n.nspname, o.oprname,
               CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END, format_type(o.oprright, NULL),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = o.oprcode),
               (SELECT array[cn.nspname::text, c.oprname::text] FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom),
               (SELECT array[cn.nspname::text, c.oprname::text] FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprnegate),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = o.oprrest),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = o.oprjoin),
               o.oprcanhash, o.oprcanmerge
        FROM pg_operator o
        JOIN pg_namespace n ON n.oid = o.oprnamespace
        WHERE o.oprnamespace = ANY($1) AND o.oprcode <> 0
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Operator, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            b.Add(new OperatorObject
            {
                SchemaName = row.GetString(1),
                Name = row.GetString(2),
                Left = row.StringOrNull(3),
                Right = row.GetString(4),
                Function = row.NameOrNull(5) ?? throw new IbexException($"cannot read operator {row.GetString(1)}.{row.GetString(2)}: its function is missing"),
                Commutator = OperatorName(row.Strings(6)),
                Negator = OperatorName(row.Strings(7)),
                Restrict = row.NameOrNull(8),
                Join = row.NameOrNull(9),
                Hashes = row.GetBoolean(10),
                Merges = row.GetBoolean(11),
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An operator read as <c>array[schema, symbol]</c>, as option values name it: <c>OPERATOR("s".op)</c>.</summary>
    public static string? OperatorName(string[] name) => name is [var schema, var symbol] ? "OPERATOR(" + Ident.Quote(schema) + "." + symbol + ")" : null;
}
