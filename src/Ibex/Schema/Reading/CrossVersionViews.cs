using Ibex.Schema.Model;
using Npgsql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Between servers of different major versions, <c>pg_get_viewdef</c> prints the same query differently (16 and
/// later drop the table name before unambiguous columns), so every view would look changed. A <c>--from</c> view
/// whose text differs from the <c>--to</c> view of the same name is printed again by the <c>--to</c> server — as a
/// temporary view, in a transaction that is rolled back, so nothing changes there — and when that print equals the
/// <c>--to</c> view's, the two are the same view. One that the <c>--to</c> server cannot create (it refers to
/// something missing there, or temporary objects are not allowed) keeps its text and shows as a difference.
/// </summary>
internal static class CrossVersionViews
{
    public static async Task<SchemaModel> AlignAsync(SchemaModel from, SchemaModel to, NpgsqlConnection toConnection, CancellationToken cancellationToken)
    {
        var differing = from.Objects.Values.OfType<ViewObject>()
            .Select(f => (From: f, To: to.Find(f.Key) as ViewObject))
            .Where(p => p.To is not null && p.To.Query != p.From.Query)
            .ToList();
        if (differing.Count == 0)
            return from;
        var same = new List<SchemaObject>();
        await using var tx = await toConnection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(toConnection, SchemaReader.SessionSql, cancellationToken).ConfigureAwait(false);
        foreach (var (f, t) in differing)
            if (await RenderAsync(toConnection, f.Query, cancellationToken).ConfigureAwait(false) == t!.Query)
                same.Add(f with { Query = t.Query });
        await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
        return same.Count == 0 ? from : from.With(same);
    }

    /// <summary>The query as this server prints it, or null when it cannot create it.</summary>
    static async Task<string?> RenderAsync(NpgsqlConnection connection, string query, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "SAVEPOINT ibex_render", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, "CREATE TEMPORARY VIEW ibex_render AS " + query, cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_get_viewdef('pg_temp.ibex_render'::regclass)", connection);
            var text = (string?)await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return text?.TrimEnd().TrimEnd(';');
        }
        catch (PostgresException)
        {
            return null;
        }
        finally
        {
            await ExecuteAsync(connection, "ROLLBACK TO SAVEPOINT ibex_render", cancellationToken).ConfigureAwait(false);
        }
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
