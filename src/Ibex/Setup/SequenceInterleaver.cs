using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sequences interleave</c>: gives each source of a multi-master sync its own residue class of key values
/// (node i of n hands out i, i+n, i+2n, … above the highest value any node has used), so keys generated on
/// different nodes never collide.
/// </summary>
public sealed class SequenceInterleaver(ControlDatabase control)
{
    /// <summary>The statements to run, per node, in order.</summary>
    public sealed record Step(string Node, string Sql);

    public async Task<IReadOnlyList<Step>> PlanAsync(string syncName, CancellationToken cancellationToken)
    {
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        var sources = sync.Sources.Select(s => s.Node).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (sources.Count < 2)
            throw new IbexException($"sync '{syncName}' has one source; interleaving sequences is for multi-master syncs");
        var nodes = new NodeStore(control);
        var conns = new Dictionary<string, NpgsqlConnection>();
        try
        {
            foreach (var n in sources)
            {
                conns[n] = await NodeConnections.OpenAsync(await nodes.GetAsync(n, cancellationToken).ConfigureAwait(false), "sequences", cancellationToken).ConfigureAwait(false);
                await CatalogReader.PrepareSessionAsync(conns[n], cancellationToken).ConfigureAwait(false);
            }
            var steps = new List<Step>();
            foreach (var table in sync.Tables.Select(t => t.Name))
            {
                var columns = await SequenceColumnsAsync(conns[sources[0]], table, cancellationToken).ConfigureAwait(false);
                foreach (var (column, identity) in columns)
                {
                    long highest = 0;
                    foreach (var conn in conns.Values)
                        highest = Math.Max(highest, await HighestAsync(conn, table, column, cancellationToken).ConfigureAwait(false));
                    var n = sources.Count;
                    var baseValue = ((highest / n) + 1) * n;
                    for (var i = 0; i < n; i++)
                    {
                        var start = baseValue + i;
                        var sql = identity
                            ? $"ALTER TABLE {table.Quoted} ALTER COLUMN {Ident.Quote(column)} SET INCREMENT BY {n} SET MINVALUE 1 RESTART WITH {start}"
                            : $"ALTER SEQUENCE {await SequenceNameAsync(conns[sources[i]], table, column, cancellationToken).ConfigureAwait(false)} INCREMENT BY {n} MINVALUE 1 RESTART WITH {start}";
                        steps.Add(new Step(sources[i], sql));
                    }
                }
            }
            return steps;
        }
        finally
        {
            foreach (var c in conns.Values)
                await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task ApplyAsync(IReadOnlyList<Step> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var nodes = new NodeStore(control);
        foreach (var group in steps.GroupBy(s => s.Node))
        {
            await using var conn = await NodeConnections.OpenAsync(await nodes.GetAsync(group.Key, cancellationToken).ConfigureAwait(false), "sequences", cancellationToken).ConfigureAwait(false);
            foreach (var step in group)
            {
                await using var cmd = new NpgsqlCommand(step.Sql, conn);
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    static async Task<List<(string Column, bool Identity)>> SequenceColumnsAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT a.attname::text, a.attidentity <> '' FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped " +
            "AND pg_get_serial_sequence($1, a.attname) IS NOT NULL ORDER BY a.attnum", conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<(string, bool)>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add((r.GetString(0), r.GetBoolean(1)));
        return list;
    }

    static async Task<string> SequenceNameAsync(NpgsqlConnection conn, QualifiedName table, string column, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_get_serial_sequence($1, $2)", conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        cmd.Parameters.Add(new() { Value = column });
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    static async Task<long> HighestAsync(NpgsqlConnection conn, QualifiedName table, string column, CancellationToken cancellationToken)
    {
        var seq = await SequenceNameAsync(conn, table, column, cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT greatest((SELECT coalesce(max({Ident.Quote(column)})::bigint, 0) FROM {table.Quoted}), (SELECT last_value FROM {seq}))", conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
