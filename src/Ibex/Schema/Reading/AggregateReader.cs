using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads user-defined aggregates from pg_aggregate, as the options CREATE AGGREGATE takes.</summary>
internal static class AggregateReader
{
    // Support functions come back as {schema, name} so they are written with our own quoting.
    const string Sql = """
        SELECT p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_arguments(p.oid),
               a.aggkind, p.proparallel,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggtransfn),
               format_type(a.aggtranstype, NULL), a.aggtransspace,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggfinalfn),
               a.aggfinalextra, a.aggfinalmodify,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggcombinefn),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggserialfn),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggdeserialfn),
               a.agginitval,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggmtransfn),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggminvtransfn),
               CASE WHEN a.aggmtransfn <> 0 THEN format_type(a.aggmtranstype, NULL) END, a.aggmtransspace,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = a.aggmfinalfn),
               a.aggmfinalextra, a.aggmfinalmodify, a.aggminitval,
               (SELECT array[opn.nspname::text, o.oprname::text] FROM pg_operator o JOIN pg_namespace opn ON opn.oid = o.oprnamespace WHERE o.oid = a.aggsortop)
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_aggregate a ON a.aggfnoid = p.oid
        WHERE p.prokind = 'a' AND p.pronamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Proc, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var kind = row.Char(5);
            // FINALFUNC_MODIFY defaults to READ_ONLY for ordinary aggregates and READ_WRITE for ordered-set ones.
            var defaultModify = kind == 'n' ? 'r' : 'w';
            var options = new List<string>();
            Function("SFUNC", 7);
            options.Add("STYPE = " + row.GetString(8));
            if (row.GetInt32(9) != 0)
                options.Add("SSPACE = " + row.GetInt32(9).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (Function("FINALFUNC", 10))
            {
                if (row.GetBoolean(11))
                    options.Add("FINALFUNC_EXTRA");
                if (row.Char(12) != defaultModify)
                    options.Add("FINALFUNC_MODIFY = " + Modify(row.Char(12)));
            }
            Function("COMBINEFUNC", 13);
            Function("SERIALFUNC", 14);
            Function("DESERIALFUNC", 15);
            if (row.StringOrNull(16) is { } init)
                options.Add("INITCOND = " + Ident.Literal(init));
            if (Function("MSFUNC", 17))
            {
                Function("MINVFUNC", 18);
                options.Add("MSTYPE = " + row.GetString(19));
                if (row.GetInt32(20) != 0)
                    options.Add("MSSPACE = " + row.GetInt32(20).ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (Function("MFINALFUNC", 21))
                {
                    if (row.GetBoolean(22))
                        options.Add("MFINALFUNC_EXTRA");
                    if (row.Char(23) != defaultModify)
                        options.Add("MFINALFUNC_MODIFY = " + Modify(row.Char(23)));
                }
                if (row.StringOrNull(24) is { } minit)
                    options.Add("MINITCOND = " + Ident.Literal(minit));
            }
            if (OperatorReader.OperatorName(row.Strings(25)) is { } sortOperator)
                options.Add("SORTOP = " + sortOperator);
            if (kind == 'h')
                options.Add("HYPOTHETICAL");
            if (row.Char(6) is 's' or 'r')
                options.Add("PARALLEL = " + (row.Char(6) == 's' ? "SAFE" : "RESTRICTED"));
            var identity = row.GetString(3);
            var arguments = row.GetString(4);
            b.Add(new AggregateObject
            {
                Name = new QualifiedName(row.GetString(1), row.GetString(2)),
                IdentityArguments = identity,
                Arguments = arguments.Length == 0 ? "*" : arguments,
                Options = options,
            }, address);

            bool Function(string option, int ordinal)
            {
                var name = row.Strings(ordinal);
                if (name.Length != 2)
                    return false;
                options.Add(option + " = " + new QualifiedName(name[0], name[1]).Quoted);
                return true;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    static string Modify(char mode) => mode switch
    {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    };
}
