using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads sequences (not those of identity columns, which belong to their column) and their owners.</summary>
internal static class SequenceReader
{
    const string Sql = """
        SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
               s.seqcache, s.seqcycle, own.deptype, own_n.nspname, own_c.relname, own_a.attname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_sequence s ON s.seqrelid = c.oid
        LEFT JOIN pg_depend own ON own.classid = 'pg_class'::regclass AND own.objid = c.oid
             AND own.refclassid = 'pg_class'::regclass AND own.refobjsubid > 0 AND own.deptype IN ('a', 'i')
        LEFT JOIN pg_class own_c ON own_c.oid = own.refobjid
        LEFT JOIN pg_namespace own_n ON own_n.oid = own_c.relnamespace
        LEFT JOIN pg_attribute own_a ON own_a.attrelid = own.refobjid AND own_a.attnum = own.refobjsubid
        WHERE c.relkind = 'S' AND c.relnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Class, row.Oid(0));
            var ownership = row.IsDBNull(10) ? (char?)null : row.Char(10);
            if (b.IsExtensionMember(address) || ownership == 'i')
                return;
            var name = new QualifiedName(row.GetString(1), row.GetString(2));
            var options = new SequenceOptions(row.GetString(3), row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7), row.GetInt64(8), row.GetBoolean(9));
            SequenceOwnerObject? owner = ownership == 'a' && !row.IsDBNull(13)
                ? new SequenceOwnerObject(name, new QualifiedName(row.GetString(11), row.GetString(12)), row.GetString(13))
                : null;
            b.Add(new SequenceObject(name, options, owner?.ColumnKey), address);
            b.MarkSequence(address);
            if (owner is not null)
            {
                b.Add(owner);
                b.AddDependency(owner.Key, owner.ColumnKey);
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
