using System.Collections.Concurrent;
using Ibex.Control.Model;
using Npgsql;

namespace Ibex.Connections;

/// <summary>
/// One pooled <see cref="NpgsqlDataSource"/> per node for the daemon's control-plane queries on nodes (status
/// sampling, catalog reads, retention checks, fences), so timers reuse a few sessions instead of opening one each time.
/// Replication, apply and COPY sessions never come from here: they carry session state and open their own
/// (<see cref="NodeConnections"/>). Failures are one-line errors naming the node.
/// </summary>
public static class NodeDataSources
{
    static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new();

    /// <summary>A pooled connection to the node (return it by disposing it).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var settings = NodeConnections.Settings(node);
        var source = Sources.GetOrAdd(node.Dsn, _ =>
        {
            TlsFiles.Check(settings, $"node '{node.Name}'");
            var b = SessionSettings.For(settings, "ibex control-plane", pooling: true);
            b.MaxPoolSize = 4;
            b.ConnectionIdleLifetime = 60;
            // Small catalog and status queries: bounded, so a node that stopped answering cannot hang a timer.
            b.CommandTimeout = 30;
            return NpgsqlDataSource.Create(b.ConnectionString);
        });
        try
        {
            return await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new IbexException($"node '{node.Name}': cannot connect to {ConnectionString.Describe(settings)}: {await ConnectionFailure.DescribeAsync(e, settings, cancellationToken).ConfigureAwait(false)}", e);
        }
    }
}
