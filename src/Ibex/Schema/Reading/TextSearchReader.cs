using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads text search dictionaries and configurations (with their token mappings). Parsers and templates need C
/// functions and stay unsupported (named in a warning).
/// </summary>
internal static class TextSearchReader
{
    const string DictionariesSql = """
        SELECT d.oid, n.nspname, d.dictname, tn.nspname, t.tmplname, d.dictinitoption
        FROM pg_ts_dict d
        JOIN pg_namespace n ON n.oid = d.dictnamespace
        JOIN pg_ts_template t ON t.oid = d.dicttemplate
        JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
        WHERE d.dictnamespace = ANY($1)
        """;

    const string ConfigurationsSql = """
        SELECT c.oid, n.nspname, c.cfgname, pn.nspname, p.prsname
        FROM pg_ts_config c
        JOIN pg_namespace n ON n.oid = c.cfgnamespace
        JOIN pg_ts_parser p ON p.oid = c.cfgparser
        JOIN pg_namespace pn ON pn.oid = p.prsnamespace
        WHERE c.cfgnamespace = ANY($1)
        """;

    const string MappingsSql = """
        SELECT m.mapcfg, t.alias, array_agg(dn.nspname::text ORDER BY m.mapseqno), array_agg(d.dictname::text ORDER BY m.mapseqno)
        FROM pg_ts_config_map m
        JOIN pg_ts_config c ON c.oid = m.mapcfg
        CROSS JOIN LATERAL ts_token_type(c.cfgparser) t
        JOIN pg_ts_dict d ON d.oid = m.mapdict
        JOIN pg_namespace dn ON dn.oid = d.dictnamespace
        WHERE t.tokid = m.maptokentype AND c.cfgnamespace = ANY($1)
        GROUP BY m.mapcfg, t.alias
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(DictionariesSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.TextSearchDictionary, row.Oid(0));
            if (!b.IsExtensionMember(address))
                b.Add(new TextSearchDictionaryObject(new QualifiedName(row.GetString(1), row.GetString(2)), new QualifiedName(row.GetString(3), row.GetString(4)), row.StringOrNull(5)), address);
        }, cancellationToken).ConfigureAwait(false);

        var mappings = new Dictionary<uint, Dictionary<string, string>>();
        await session.QueryAsync(MappingsSql, row =>
        {
            if (!mappings.TryGetValue(row.Oid(0), out var map))
                mappings[row.Oid(0)] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            map[row.GetString(1)] = string.Join(", ", row.Strings(2).Zip(row.Strings(3), (schema, name) => new QualifiedName(schema, name).Quoted));
        }, cancellationToken).ConfigureAwait(false);

        await session.QueryAsync(ConfigurationsSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.TextSearchConfiguration, row.Oid(0));
            if (!b.IsExtensionMember(address))
                b.Add(new TextSearchConfigurationObject(new QualifiedName(row.GetString(1), row.GetString(2)), new QualifiedName(row.GetString(3), row.GetString(4)),
                    mappings.GetValueOrDefault(row.Oid(0)) ?? new Dictionary<string, string>(StringComparer.Ordinal)), address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
