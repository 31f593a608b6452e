using Ibex.Connections;
using Ibex.Control.Model;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>Whether a source's change at some position is on every target: each streamed target's origin for it has passed it.</summary>
public static class OriginProgress
{
    public static async Task<bool> PassedEverywhereAsync(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, string source, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (var link in sync.Links.Where(l => l.Source == source && sync.Streams(l.Target)))
        {
            await using var conn = await NodeDataSources.OpenAsync(nodes[link.Target], cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_replication_origin_progress(roname, false) FROM pg_catalog.pg_replication_origin WHERE roname = $1", conn);
            cmd.Parameters.Add(new() { Value = link.OriginName });
            if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not NpgsqlLogSequenceNumber progress || progress <= lsn)
                return false;
        }
        return true;
    }
}
