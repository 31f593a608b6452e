using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// Objects created on nodes while a sync is being set up, so a failure half way can undo them all and leave
/// nothing behind (a forgotten slot retains WAL until the disk is full).
/// </summary>
internal sealed class CreatedObjects
{
    readonly List<(NpgsqlConnection Conn, string What, string UndoSql)> _undo = [];

    public void Add(NpgsqlConnection conn, string what, string undoSql) => _undo.Add((conn, what, undoSql));

    public static string DropSlot(string slot) => $"SELECT pg_drop_replication_slot({Ident.Literal(slot)})";

    public static string DropPublication(string publication) => $"DROP PUBLICATION IF EXISTS {Ident.Quote(publication)}";

    /// <summary>Undoes everything in reverse order; failures are logged, not thrown (the original error matters more).</summary>
    public async Task UndoAsync(ILogger log)
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (conn, what, sql) = _undo[i];
            try
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                log.LogWarning("could not undo {What}: {Error}; run on that node: {Sql}", what, e.Message, sql);
            }
        }
        _undo.Clear();
    }
}
