using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>Reads the schemas in scope and sets <see cref="CatalogSession.Namespaces"/>.</summary>
internal static class NamespaceReader
{
    /// <summary>Ibex's own bookkeeping schema; compared only when asked for by name.</summary>
    public const string IbexSchema = "ibex";

    /// <summary>Where <c>--ddl replicate</c> keeps its capture on sources (<c>Setup/DdlCaptureSql</c>); compared only when asked for by name.</summary>
    public const string DdlCaptureSchema = "ibex_ddl";

    const string Sql = """
        SELECT n.oid, n.nspname
        FROM pg_namespace n
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
        ORDER BY n.nspname
        """;

    public static async Task ReadAsync(CatalogSession session, IReadOnlyList<string>? schemas, CancellationToken cancellationToken)
    {
        var wanted = schemas is null ? null : new HashSet<string>(schemas, StringComparer.Ordinal);
        var oids = new List<uint>();
        await session.QueryAsync(Sql, row =>
        {
            var oid = row.Oid(0);
            var name = row.GetString(1);
            var address = new ObjectAddress(CatalogClass.Namespace, oid);
            if (wanted is null ? name is IbexSchema or DdlCaptureSchema : !wanted.Contains(name))
                return;
            if (session.Builder.IsExtensionMember(address))
                return;
            oids.Add(oid);
            session.Builder.Add(new NamespaceObject(name), address);
        }, cancellationToken).ConfigureAwait(false);
        session.Namespaces = [.. oids];
    }
}
