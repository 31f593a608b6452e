using Npgsql;
using NpgsqlTypes;

namespace Ibex.Schema.Reading;

/// <summary>
/// One catalog-reading session: the connection (inside a read-only repeatable-read transaction with
/// <c>search_path = pg_catalog</c>), the OIDs of the schemas being compared, and the model being built.
/// </summary>
internal sealed class CatalogSession(NpgsqlConnection connection, ModelBuilder builder)
{
    public NpgsqlConnection Connection { get; } = connection;

    public ModelBuilder Builder { get; } = builder;

    /// <summary>OIDs of the schemas in scope; every query filters on them as <c>$1</c>.</summary>
    public uint[] Namespaces { get; set; } = [];

    /// <summary>Runs a query with the schema OIDs as <c>$1</c> and calls <paramref name="onRow"/> for each row.</summary>
    public async Task QueryAsync(string sql, Action<NpgsqlDataReader> onRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onRow);
        await using var cmd = new NpgsqlCommand(sql, Connection);
        if (sql.Contains("$1", StringComparison.Ordinal))
            cmd.Parameters.Add(new NpgsqlParameter { Value = Namespaces, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            onRow(reader);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, Connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
