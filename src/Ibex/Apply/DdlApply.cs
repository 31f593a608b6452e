using Ibex.Changes;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// How a replicated DDL statement (<see cref="DdlItem"/>) runs on a target: in one round trip of its own, with the
/// source session's search_path (transaction-local inside the apply transaction, reset after a statement that runs
/// outside one) and then the apply session's own again; tables it created join the target's publication when the target
/// is another source of the sync (multi-master: the event trigger does not fire for Ibex's sessions, so nothing else
/// would add them).
/// </summary>
internal static class DdlApply
{
    const string SetPath = "SELECT pg_catalog.set_config('search_path', $1, $2)";

    public static async Task RunAsync(NpgsqlConnection conn, DdlItem ddl, string restorePath, string? publication, CancellationToken cancellationToken)
    {
        // Outside a transaction each statement needs its own implicit one (a batch is one otherwise, which CONCURRENTLY refuses).
        await using var batch = new NpgsqlBatch(conn) { EnableErrorBarriers = !ddl.Transactional };
        batch.BatchCommands.Add(PathCommand(ddl.SearchPath, local: ddl.Transactional));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ddl.Sql));
        batch.BatchCommands.Add(PathCommand(restorePath, local: ddl.Transactional));
        if (publication is not null && ddl.Created.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER PUBLICATION {Ident.Quote(publication)} ADD TABLE {string.Join(", ", ddl.Created.Select(t => t.Quoted))}"));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The link stops at the statement: nothing after it is applied until it runs on the target.</summary>
    public static ApplyException Failed(string target, DdlItem ddl, PostgresException e)
        => new($"target '{target}': the replicated DDL statement failed there: {ddl.Sql} (search_path {ddl.SearchPath}): {e.MessageText}{Errors.DetailOf(e)} (SQLSTATE {e.SqlState}); nothing after it is applied: make the target able to take it (e.g. remove what is in its way) and the link retries by itself", false, e);

    static NpgsqlBatchCommand PathCommand(string path, bool local)
    {
        var cmd = new NpgsqlBatchCommand(SetPath);
        cmd.Parameters.Add(new() { Value = path });
        cmd.Parameters.Add(new() { Value = local });
        return cmd;
    }
}
