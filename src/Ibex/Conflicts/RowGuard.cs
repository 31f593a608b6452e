using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// A check, inside the transaction that applies a remote change, that a local row is still the version its conflict
/// lookup read (same xmin, or still absent), with the row locked until that transaction ends. When several
/// transactions are decided on lookups made together before any of them began (<see cref="ConflictApplier"/>), a
/// local writer may change a row in between; the guard then fails the transaction with <see cref="SqlState"/> and
/// the applier decides it again on a fresh, locked lookup.
/// </summary>
/// <remarks>
/// The failure is a cast of a text naming the guard to integer, evaluated only when the row differs: it needs no
/// function on the node. It cannot fire while the statement is planned because it depends on the row read.
/// </remarks>
public static class RowGuard
{
    /// <summary>The expected xmin of a row that was absent.</summary>
    public const string Absent = "";

    /// <summary>invalid_text_representation, raised by the guard's cast; told apart by <see cref="Marker"/>.</summary>
    public const string SqlState = "22P02";

    public const string Marker = "ibex row guard";

    public static bool IsGuardFailure(PostgresException e)
        => e is not null && e.SqlState == SqlState && e.MessageText.Contains(Marker, StringComparison.Ordinal);

    /// <summary>
    /// The text of the guard for a row lookup whose FROM/WHERE is <paramref name="fromWhere"/> (alias <c>t</c>); the
    /// expected xmin is parameter <paramref name="xminParameter"/>, after the lookup's own.
    /// </summary>
    public static string Text(string fromWhere, int xminParameter)
        => $"SELECT CASE WHEN g.x = ${xminParameter} THEN NULL ELSE ('{Marker}: ' || g.x)::int END FROM (SELECT coalesce((SELECT t.xmin::text FROM {fromWhere} LIMIT 1 FOR UPDATE OF t), '') AS x) g";

    /// <summary>The guard statement (text from <see cref="Text"/>) with the lookup's <paramref name="parameters"/> and the expected xmin last.</summary>
    public static NpgsqlBatchCommand Command(string text, IReadOnlyList<NpgsqlParameter> parameters, string expectedXmin)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var cmd = new NpgsqlBatchCommand(text);
        foreach (var p in parameters)
            cmd.Parameters.Add(p);
        cmd.Parameters.Add(new() { Value = expectedXmin });
        return cmd;
    }
}
