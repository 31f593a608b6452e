using System.Globalization;
using System.Text.Json;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Multi-master: keeps, in <c>ibex.sync_node.reader_state</c>, what a source had seen from every other node at each of
/// its recent acknowledged positions. A reader restarting at the slot's confirmed position takes the newest state
/// saved at or before it; without this, a restart would forget what the source had seen and report false conflicts.
/// </summary>
public sealed class SeenState(ControlDatabase control, string sync, string source, NodeRecord node, ILogger log)
{
    const int Keep = 120;
    readonly List<(NpgsqlLogSequenceNumber Lsn, IReadOnlyDictionary<string, DateTime> Seen)> _saved = [];

    public async Task SaveAsync(NpgsqlLogSequenceNumber ack, IReadOnlyDictionary<string, DateTime> seen, CancellationToken cancellationToken)
    {
        // An unchanged view needs no new entry: the older one covers every position after it.
        if (_saved.Count > 0 && _saved[^1].Seen.Count == seen.Count && seen.All(s => _saved[^1].Seen.TryGetValue(s.Key, out var v) && v == s.Value))
            return;
        // Kept in memory only once it is in the control database: a failed write must be retried in full, not taken
        // for saved at the next attempt (the slot would then be acknowledged past a view that was never stored).
        var entries = new List<(NpgsqlLogSequenceNumber Lsn, IReadOnlyDictionary<string, DateTime> Seen)>(_saved) { (ack, seen) };
        if (entries.Count > Keep)
            entries.RemoveRange(0, entries.Count - Keep);
        var json = JsonSerializer.Serialize(entries.Select(e => new Dictionary<string, object>
        {
            ["lsn"] = e.Lsn.ToString(),
            ["seen"] = e.Seen.ToDictionary(x => x.Key, x => x.Value.ToString("O", CultureInfo.InvariantCulture)),
        }));
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.sync_node SET reader_state = $3::jsonb WHERE sync = $1 AND node = $2", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = source });
        cmd.Parameters.Add(new() { Value = json, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _saved.Clear();
        _saved.AddRange(entries);
    }

    /// <summary>The view saved at or before the slot's confirmed position, or null (then the sync's baseline applies).</summary>
    public async Task<IReadOnlyDictionary<string, DateTime>?> LoadAsync(string slot, CancellationToken cancellationToken)
    {
        _saved.Clear();
        string? json;
        await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var cmd = new NpgsqlCommand("SELECT reader_state::text FROM ibex.sync_node WHERE sync = $1 AND node = $2", conn))
        {
            cmd.Parameters.Add(new() { Value = sync });
            cmd.Parameters.Add(new() { Value = source });
            json = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        if (json is null)
            return null;
        NpgsqlLogSequenceNumber confirmed;
        await using (var conn = await NodeDataSources.OpenAsync(node, cancellationToken).ConfigureAwait(false))
        await using (var cmd = new NpgsqlCommand("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1", conn))
        {
            cmd.Parameters.Add(new() { Value = slot });
            if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not NpgsqlLogSequenceNumber c)
                return null;
            confirmed = c;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var lsn = NpgsqlLogSequenceNumber.Parse(e.GetProperty("lsn").GetString()!);
            var seen = e.GetProperty("seen").EnumerateObject().ToDictionary(p => p.Name, p => DateTime.Parse(p.Value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            _saved.Add((lsn, seen));
        }
        var best = _saved.LastOrDefault(e => e.Lsn <= confirmed);
        if (best.Seen is null)
        {
            log.LogWarning("sync {Sync} source {Source}: no saved view at or before {Lsn}; conflicts right after this restart may be reported that are not", sync, source, confirmed);
            return null;
        }
        return best.Seen;
    }
}
