using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads event triggers (database-wide; those an extension created are left out, and so are Ibex's DDL capture
/// triggers unless their schema is compared).
/// </summary>
internal static class EventTriggerReader
{
    const string Sql = """
        SELECT e.oid, e.evtname, e.evtevent, coalesce(e.evttags, '{}'), fn.nspname, f.proname, e.evtenabled, fn.oid
        FROM pg_event_trigger e
        JOIN pg_proc f ON f.oid = e.evtfoid
        JOIN pg_namespace fn ON fn.oid = f.pronamespace
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.EventTrigger, row.Oid(0));
            if (b.IsExtensionMember(address) || row.GetString(4) == NamespaceReader.DdlCaptureSchema && !session.Namespaces.Contains(row.Oid(7)))
                return;
            b.Add(new EventTriggerObject
            {
                Name = row.GetString(1),
                Event = row.GetString(2),
                Tags = row.Strings(3),
                Function = new QualifiedName(row.GetString(4), row.GetString(5)),
                Enabled = row.Char(6),
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
