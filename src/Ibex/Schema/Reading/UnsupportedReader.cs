namespace Ibex.Schema.Reading;

/// <summary>
/// Finds objects of kinds the diff does not model, so they are named in a warning instead of being skipped
/// silently. Objects an extension created come and go with it and are not listed; neither are Ibex's own
/// publications (<c>ibex_…</c>).
/// </summary>
internal static class UnsupportedReader
{
    const string Sql = """
        SELECT u.classid, u.objid, pg_describe_object(u.classid, u.objid, 0)
        FROM (
            SELECT 'pg_conversion'::regclass::oid, oid FROM pg_conversion WHERE connamespace = ANY($1)
            UNION ALL SELECT 'pg_type'::regclass::oid, oid FROM pg_type
                WHERE typnamespace = ANY($1) AND (typtype = 'p' OR (typtype = 'b' AND NOT (typcategory = 'A' AND typelem <> 0)))
            UNION ALL SELECT 'pg_ts_parser'::regclass::oid, oid FROM pg_ts_parser WHERE prsnamespace = ANY($1)
            UNION ALL SELECT 'pg_ts_template'::regclass::oid, oid FROM pg_ts_template WHERE tmplnamespace = ANY($1)
            UNION ALL SELECT 'pg_class'::regclass::oid, oid FROM pg_class WHERE relkind = 'f' AND relnamespace = ANY($1)
            UNION ALL SELECT 'pg_subscription'::regclass::oid, oid FROM pg_subscription
                WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            UNION ALL SELECT 'pg_am'::regclass::oid, oid FROM pg_am WHERE oid >= 16384
            UNION ALL SELECT 'pg_language'::regclass::oid, oid FROM pg_language WHERE oid >= 16384
            UNION ALL SELECT 'pg_transform'::regclass::oid, oid FROM pg_transform
            UNION ALL SELECT 'pg_default_acl'::regclass::oid, oid FROM pg_default_acl WHERE defaclnamespace = 0 OR defaclnamespace = ANY($1)
        ) u(classid, objid)
        ORDER BY 3
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            if (!b.IsExtensionMember(new Model.ObjectAddress(row.Oid(0), row.Oid(1))))
                b.Unsupported.Add(row.GetString(2));
        }, cancellationToken).ConfigureAwait(false);
    }
}
