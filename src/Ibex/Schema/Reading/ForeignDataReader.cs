using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads foreign data wrappers (not an extension's), servers and user mappings, database-wide. Secret user
/// mapping options are kept by name only. Foreign tables stay unsupported (named in a warning).
/// </summary>
internal static class ForeignDataReader
{
    const string WrappersSql = """
        SELECT w.oid, w.fdwname,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = w.fdwhandler),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = w.fdwvalidator),
               coalesce(w.fdwoptions, '{}')
        FROM pg_foreign_data_wrapper w
        """;

    const string ServersSql = """
        SELECT s.oid, s.srvname, w.fdwname, s.srvtype, s.srvversion, coalesce(s.srvoptions, '{}')
        FROM pg_foreign_server s
        JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
        """;

    const string MappingsSql = """
        SELECT m.umid, CASE WHEN m.umuser = 0 THEN NULL ELSE m.usename::text END, m.srvname, coalesce(m.umoptions, '{}')
        FROM pg_user_mappings m
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(WrappersSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.ForeignDataWrapper, row.Oid(0));
            if (!b.IsExtensionMember(address))
                b.Add(new ForeignDataWrapperObject(row.GetString(1), row.NameOrNull(2), row.NameOrNull(3), row.Strings(4)), address);
        }, cancellationToken).ConfigureAwait(false);
        await session.QueryAsync(ServersSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.ForeignServer, row.Oid(0));
            if (!b.IsExtensionMember(address))
                b.Add(new ForeignServerObject(row.GetString(1), row.GetString(2), row.StringOrNull(3), row.StringOrNull(4), row.Strings(5)), address);
        }, cancellationToken).ConfigureAwait(false);
        await session.QueryAsync(MappingsSql, row =>
        {
            var options = row.Strings(3);
            b.Add(new UserMappingObject(row.StringOrNull(1), row.GetString(2),
                [.. options.Where(o => !SecretOptions.IsSecret(o))], [.. options.Where(SecretOptions.IsSecret).Select(o => o.Split('=', 2)[0])]),
                new ObjectAddress(CatalogClass.UserMapping, row.Oid(0)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
