using Ibex.Connections;
using Npgsql;

namespace Ibex.Control;

/// <summary>
/// The control database: the <c>ibex</c> schema holding nodes, syncs, per-link progress and events. Opened from
/// an operator's connection string; pooled, since control sessions carry no replication state.
/// </summary>
public sealed class ControlDatabase : IAsyncDisposable
{
    /// <summary>NOTIFY channel the CLI signals after every configuration change; the daemon LISTENs on it.</summary>
    public const string ConfigChannel = "ibex_config";

    readonly NpgsqlDataSource _dataSource;

    ControlDatabase(NpgsqlConnectionStringBuilder settings)
    {
        Settings = settings;
        var b = SessionSettings.For(settings, "ibex control", pooling: true);
        b.MaxPoolSize = 20;
        _dataSource = NpgsqlDataSource.Create(b.ConnectionString);
    }

    public NpgsqlConnectionStringBuilder Settings { get; }

    /// <summary>Where the control database is, safe to print.</summary>
    public string Description => ConnectionString.Describe(Settings);

    public static ControlDatabase Open(string connectionString)
        => new(ConnectionString.Parse(connectionString, "control database connection"));

    /// <summary>Opens a pooled connection; a failure is a one-line error naming the control database.</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        TlsFiles.Check(Settings, "control database connection");
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new IbexException($"cannot connect to the control database {Description}: {await ConnectionFailure.DescribeAsync(e, Settings, cancellationToken).ConfigureAwait(false)}", e);
        }
    }

    /// <summary>Creates or upgrades the ibex schema; returns the migrations applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One migrator at a time, even when several `ibex init` race.
        await Sql(conn, "SELECT pg_advisory_xact_lock(hashtext('ibex.migrate'))", cancellationToken).ConfigureAwait(false);
        await Sql(conn, "CREATE SCHEMA IF NOT EXISTS ibex", cancellationToken).ConfigureAwait(false);
        await Sql(conn, "CREATE TABLE IF NOT EXISTS ibex.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand("SELECT version FROM ibex.schema_version", conn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                applied.Add(r.GetInt32(0));
        var done = new List<int>();
        foreach (var (version, description, sql) in Migrations.All)
        {
            if (applied.Contains(version))
                continue;
            await Sql(conn, sql, cancellationToken).ConfigureAwait(false);
            await using var ins = new NpgsqlCommand("INSERT INTO ibex.schema_version (version, description) VALUES ($1, $2)", conn);
            ins.Parameters.Add(new() { Value = version });
            ins.Parameters.Add(new() { Value = description });
            await ins.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            done.Add(version);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return done;
    }

    /// <summary>Fails with a one-line error unless <c>ibex init</c> has been run (and is current).</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT to_regclass('ibex.schema_version') IS NOT NULL", conn);
        var exists = (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var version = -1;
        if (exists)
        {
            await using var v = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM ibex.schema_version", conn);
            version = (int)(await v.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        if (version < 0)
            throw new IbexException($"the control database {Description} has no ibex schema; run 'ibex init' first");
        if (version < Migrations.Latest)
            throw new IbexException($"the ibex schema in {Description} is at version {version}, this ibex needs {Migrations.Latest}; run 'ibex init' to upgrade it");
    }

    /// <summary>Tells running daemons that the configuration changed.</summary>
    public async Task NotifyChangedAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Sql(conn, $"NOTIFY {ConfigChannel}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records an event (an error, a state change) for status and the dashboard.</summary>
    public async Task LogEventAsync(string? sync, string? node, string level, string message, CancellationToken cancellationToken)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("INSERT INTO ibex.event (sync, node, level, message) VALUES ($1, $2, $3, $4)", conn);
        cmd.Parameters.Add(new() { Value = (object?)sync ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)node ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = level });
        cmd.Parameters.Add(new() { Value = message });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static async Task Sql(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
