using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads table constraints a table declares itself: not those a partition inherits from its parent, not NOT NULL
/// (a column property) and not constraint triggers (read as triggers).
/// </summary>
internal static class ConstraintReader
{
    const string Sql = """
        SELECT k.oid, k.conrelid, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated, c.relkind = 'p'
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.contype IN ('p', 'u', 'f', 'c', 'x') AND k.conparentid = 0 AND k.conislocal
          AND c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            if (b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(1))) is not { } tableKey || b.Find(tableKey) is not TableObject table)
                return;
            var validated = row.GetBoolean(5);
            var body = row.GetString(4);
            if (!validated && body.EndsWith(" NOT VALID", StringComparison.Ordinal))
                body = body[..^" NOT VALID".Length];
            var constraint = new ConstraintObject
            {
                Table = table.Name,
                Name = row.GetString(2),
                Type = row.Char(3),
                Body = body,
                Validated = validated,
                OnPartitionedTable = row.GetBoolean(6),
            };
            b.Add(constraint, new ObjectAddress(CatalogClass.Constraint, row.Oid(0)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
