using System.Globalization;

namespace Ibex.Local;

/// <summary>
/// A physical standby of a <see cref="LocalCluster"/>, for failover tests: a copy of the primary's data folder taken
/// while it is stopped, with <c>standby.signal</c>, <c>primary_conninfo</c> (naming a database, which slot
/// synchronization needs), a physical slot on the primary, <c>hot_standby_feedback</c> and
/// <c>sync_replication_slots</c> (PostgreSQL 17+), so the primary's failover slots are kept on the standby.
/// </summary>
public static class LocalStandby
{
    /// <summary>Stops <paramref name="primary"/>, copies it, starts both; the primary gets physical slot <paramref name="slot"/>.</summary>
    public static async Task<LocalCluster> StartAsync(LocalCluster primary, string slot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(primary);
        await primary.ExecuteAsync("postgres", $"SELECT pg_create_physical_replication_slot({Sql.Ident.Literal(slot)}, true)", cancellationToken).ConfigureAwait(false);
        await primary.StopServerAsync("fast", cancellationToken).ConfigureAwait(false);
        var dir = Directory.CreateTempSubdirectory("ibex-pg-standby-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, LocalCluster.OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        var asPostgres = Environment.UserName == "root" ? "postgres" : null;
        if (asPostgres is not null)
            await LocalCluster.RunAsync("chown", ["postgres:postgres", dir], null, cancellationToken).ConfigureAwait(false);
        await LocalCluster.RunAsync("cp", ["-a", primary.DataDirectory, Path.Combine(dir, "data")], asPostgres, cancellationToken).ConfigureAwait(false);
        var port = await LocalCluster.FreePortAsync(cancellationToken).ConfigureAwait(false);
        var standby = new LocalCluster(primary.Install, dir, port);
        await File.WriteAllTextAsync(Path.Combine(standby.DataDirectory, "standby.signal"), "", cancellationToken).ConfigureAwait(false);
        await standby.AppendConfAsync(string.Join('\n',
            "# ibex local standby",
            $"port = {port}",
            $"unix_socket_directories = '{dir}'",
            $"primary_conninfo = 'host=127.0.0.1 port={primary.Port.ToString(CultureInfo.InvariantCulture)} user=postgres dbname=postgres application_name={slot}'",
            $"primary_slot_name = '{slot}'",
            "hot_standby = on",
            "hot_standby_feedback = on",
            "sync_replication_slots = on"), cancellationToken).ConfigureAwait(false);
        if (asPostgres is not null)
            await LocalCluster.RunAsync("chown", ["-R", "postgres:postgres", dir], null, cancellationToken).ConfigureAwait(false);
        await primary.StartServerAsync(cancellationToken).ConfigureAwait(false);
        await standby.StartServerAsync(cancellationToken).ConfigureAwait(false);
        return standby;
    }
}
