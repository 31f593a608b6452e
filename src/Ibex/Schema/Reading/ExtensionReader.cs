using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>Reads extensions and which objects belong to them (those are left out of the comparison).</summary>
internal static class ExtensionReader
{
    const string MembersSql = """
        SELECT d.classid, d.objid, d.objsubid, d.refobjid
        FROM pg_depend d
        WHERE d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass
        """;

    const string AvailableSql = """
        SELECT name::text, array_agg(version::text) FROM pg_available_extension_versions GROUP BY name
        """;

    const string ExtensionsSql = """
        SELECT e.oid, e.extname, n.nspname, e.extversion, e.extnamespace,
               array(SELECT p.target FROM pg_extension_update_paths(e.extname) p WHERE p.source = e.extversion AND p.path IS NOT NULL)
        FROM pg_extension e
        JOIN pg_namespace n ON n.oid = e.extnamespace
        ORDER BY e.extname
        """;

    /// <summary>Must run before every other reader so they can skip extension members.</summary>
    public static async Task ReadMembersAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        await session.QueryAsync(MembersSql, row =>
            session.Builder.AddExtensionMember(new ObjectAddress(row.Oid(0), row.Oid(1), row.GetInt32(2)), row.Oid(3)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Extensions installed in one of the schemas in scope.</summary>
    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var namespaces = session.Namespaces.ToHashSet();
        await session.QueryAsync(ExtensionsSql, row =>
        {
            if (!namespaces.Contains(row.Oid(4)))
                return;
            session.Builder.Add(new ExtensionObject(row.GetString(1), row.GetString(2), row.GetString(3)) { UpdateTargets = row.Strings(5) },
                new ObjectAddress(CatalogClass.Extension, row.Oid(0)));
        }, cancellationToken).ConfigureAwait(false);
        await session.QueryAsync(AvailableSql, row => session.Builder.AvailableExtensions[row.GetString(0)] = row.Strings(1), cancellationToken).ConfigureAwait(false);
    }
}
