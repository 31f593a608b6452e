using Ibex.Monitoring;
using Npgsql;

namespace Ibex.Control;

/// <summary><c>ibex.schema_check</c>: per sync and node, the last schema check after a replicated DDL statement.</summary>
public sealed class SchemaCheckStore(ControlDatabase control)
{
    public async Task SaveAsync(string sync, SchemaCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO ibex.schema_check (sync, node, reference, checked_at, drift) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (sync, node) DO UPDATE SET reference = excluded.reference, checked_at = excluded.checked_at, drift = excluded.drift
            """, conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = check.Node });
        cmd.Parameters.Add(new() { Value = check.Reference });
        cmd.Parameters.Add(new() { Value = check.CheckedAt });
        cmd.Parameters.Add(new() { Value = (object?)check.Drift ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every sync's checks, by sync.</summary>
    public async Task<Dictionary<string, List<SchemaCheck>>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT sync, node, reference, checked_at, drift FROM ibex.schema_check ORDER BY sync, node", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, List<SchemaCheck>>(StringComparer.Ordinal);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!result.TryGetValue(r.GetString(0), out var list))
                result[r.GetString(0)] = list = [];
            list.Add(new SchemaCheck(r.GetString(1), r.GetString(2), r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }
        return result;
    }
}
