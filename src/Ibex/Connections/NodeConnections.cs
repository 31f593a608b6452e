using Ibex.Control.Model;
using Npgsql;

namespace Ibex.Connections;

/// <summary>Opens connections to nodes with Ibex's session settings; failures are one-line errors naming the node.</summary>
public static class NodeConnections
{
    /// <summary>Npgsql settings for a node (parsed from its stored DSN).</summary>
    public static NpgsqlConnectionStringBuilder Settings(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return ConnectionString.Parse(node.Dsn, $"node '{node.Name}' dsn");
    }

    /// <summary>A new, unpooled connection to the node.</summary>
    public static Task<NpgsqlConnection> OpenAsync(NodeRecord node, string purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        return OpenAsync(Settings(node), $"node '{node.Name}'", purpose, cancellationToken);
    }

    /// <summary>A new, unpooled connection; <paramref name="what"/> names the node in errors.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder settings, string what, string purpose, CancellationToken cancellationToken)
    {
        TlsFiles.Check(settings, what);
        var b = SessionSettings.For(settings, "ibex " + purpose);
        var conn = new NpgsqlConnection(b.ConnectionString);
        try
        {
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            return conn;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new IbexException($"{what}: cannot connect to {ConnectionString.Describe(settings)}: {await ConnectionFailure.DescribeAsync(e, settings, cancellationToken).ConfigureAwait(false)}", e);
        }
    }
}
