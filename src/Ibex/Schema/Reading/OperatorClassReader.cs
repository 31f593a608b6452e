using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads operator families and classes with their members (pg_amop, pg_amproc). A class's members belong to the
/// class (pg_depend says so); the others are the family's loose members.
/// </summary>
internal static class OperatorClassReader
{
    const string FamiliesSql = """
        SELECT f.oid, n.nspname, f.opfname, am.amname
        FROM pg_opfamily f
        JOIN pg_namespace n ON n.oid = f.opfnamespace
        JOIN pg_am am ON am.oid = f.opfmethod
        WHERE f.opfnamespace = ANY($1)
        """;

    const string ClassesSql = """
        SELECT c.oid, n.nspname, c.opcname, am.amname, format_type(c.opcintype, NULL), c.opcdefault, fn.nspname, f.opfname,
               CASE WHEN c.opckeytype <> 0 AND c.opckeytype <> c.opcintype THEN format_type(c.opckeytype, NULL) END
        FROM pg_opclass c
        JOIN pg_namespace n ON n.oid = c.opcnamespace
        JOIN pg_am am ON am.oid = c.opcmethod
        JOIN pg_opfamily f ON f.oid = c.opcfamily
        JOIN pg_namespace fn ON fn.oid = f.opfnamespace
        WHERE c.opcnamespace = ANY($1)
        """;

    // Each member with its owner (class or family): operators first, then functions, by number and types. The
    // item text is built from the parts so every name goes through our own quoting.
    const string MembersSql = """
        SELECT 'pg_amop'::regclass::oid, ao.oid, d.refclassid, d.refobjid, 0, ao.amopstrategy, ao.amoplefttype, ao.amoprighttype,
               format_type(ao.amoplefttype, NULL), format_type(ao.amoprighttype, NULL), opn.nspname, op.oprname::text,
               CASE WHEN ao.amoppurpose = 'o' THEN array[sfn.nspname::text, sf.opfname::text] END, NULL::text
        FROM pg_amop ao
        JOIN pg_opfamily fam ON fam.oid = ao.amopfamily
        JOIN pg_operator op ON op.oid = ao.amopopr
        JOIN pg_namespace opn ON opn.oid = op.oprnamespace
        LEFT JOIN pg_opfamily sf ON sf.oid = ao.amopsortfamily
        LEFT JOIN pg_namespace sfn ON sfn.oid = sf.opfnamespace
        JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
        WHERE fam.opfnamespace = ANY($1)
        UNION ALL
        SELECT 'pg_amproc'::regclass::oid, ap.oid, d.refclassid, d.refobjid, 1, ap.amprocnum, ap.amproclefttype, ap.amprocrighttype,
               format_type(ap.amproclefttype, NULL), format_type(ap.amprocrighttype, NULL), pn.nspname, p.proname::text,
               NULL, pg_get_function_identity_arguments(p.oid)
        FROM pg_amproc ap
        JOIN pg_opfamily fam ON fam.oid = ap.amprocfamily
        JOIN pg_proc p ON p.oid = ap.amproc
        JOIN pg_namespace pn ON pn.oid = p.pronamespace
        JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
        WHERE fam.opfnamespace = ANY($1)
        ORDER BY 5, 6, 7, 8
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        var members = new Dictionary<ObjectAddress, List<(ObjectAddress Member, string Item)>>();
        await session.QueryAsync(MembersSql, row =>
        {
            var owner = new ObjectAddress(row.Oid(2), row.Oid(3));
            if (!members.TryGetValue(owner, out var list))
                members[owner] = list = [];
            list.Add((new ObjectAddress(row.Oid(0), row.Oid(1)), Item(row)));
        }, cancellationToken).ConfigureAwait(false);

        await session.QueryAsync(FamiliesSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.OperatorFamily, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var own = members.GetValueOrDefault(address) ?? [];
            var family = new OperatorFamilyObject(new QualifiedName(row.GetString(1), row.GetString(2)), row.GetString(3), [.. own.Select(m => m.Item)]);
            b.Add(family, address);
            // Loose members' dependencies (their operators and functions) are the family's.
            foreach (var (member, _) in own)
                b.Register(member, family.Key);
        }, cancellationToken).ConfigureAwait(false);

        await session.QueryAsync(ClassesSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.OperatorClass, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            b.Add(new OperatorClassObject
            {
                Name = new QualifiedName(row.GetString(1), row.GetString(2)),
                Method = row.GetString(3),
                Type = row.GetString(4),
                Default = row.GetBoolean(5),
                Family = new QualifiedName(row.GetString(6), row.GetString(7)),
                Storage = row.StringOrNull(8),
                Items = [.. (members.GetValueOrDefault(address) ?? []).Select(m => m.Item)],
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>OPERATOR 1 "s".op (left, right) [FOR ORDER BY "s"."family"]</c> or <c>FUNCTION 1 (left, right) "s"."f"(args)</c>.
    /// </summary>
    static string Item(Npgsql.NpgsqlDataReader row)
    {
        var number = row.GetInt16(5).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var types = "(" + row.GetString(8) + ", " + row.GetString(9) + ")";
        if (row.GetInt32(4) == 1)
            return "FUNCTION " + number + " " + types + " " + new QualifiedName(row.GetString(10), row.GetString(11)).Quoted + "(" + row.GetString(13) + ")";
        var item = "OPERATOR " + number + " " + Ident.Quote(row.GetString(10)) + "." + row.GetString(11) + " " + types;
        return row.NameOrNull(12) is { } sortFamily ? item + " FOR ORDER BY " + sortFamily.Quoted : item;
    }
}
