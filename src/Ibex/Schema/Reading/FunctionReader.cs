using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads functions and procedures (not aggregates, not a range type's constructors, which come with it).</summary>
internal static class FunctionReader
{
    // pg_get_functiondef always starts "CREATE OR REPLACE FUNCTION schema.name(" with the server's quoting; the
    // head is rebuilt here so the rest can be split off and the name written with our own quoting.
    const string Sql = """
        SELECT p.oid, n.nspname, p.proname, p.prokind, pg_get_function_identity_arguments(p.oid), pg_get_function_arguments(p.oid),
               CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END, pg_get_functiondef(p.oid),
               'CREATE OR REPLACE ' || CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END || ' '
                 || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p', 'w') AND p.pronamespace = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Proc, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var name = new QualifiedName(row.GetString(1), row.GetString(2));
            var def = row.GetString(7);
            var head = row.GetString(8);
            if (!def.StartsWith(head, StringComparison.Ordinal))
                throw new IbexException($"cannot read the definition of function {name.Display}: unexpected pg_get_functiondef output");
            b.Add(new FunctionObject
            {
                Name = name,
                ProcKind = row.Char(3),
                IdentityArguments = row.GetString(4),
                Arguments = row.GetString(5),
                Result = row.StringOrNull(6),
                Body = def[head.Length..].TrimEnd(),
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
