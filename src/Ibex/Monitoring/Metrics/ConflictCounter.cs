using Ibex.Control;
using Npgsql;

namespace Ibex.Monitoring.Metrics;

/// <summary>
/// Conflicts logged in <c>ibex.conflict</c>, per sync and kind, counted by row id so that pruning the log never makes
/// the counter go down: each refresh adds the rows with ids above the highest seen.
/// </summary>
public sealed class ConflictCounter
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<(string Sync, string Kind), long> _counts = [];
    long _lastId;

    public IReadOnlyDictionary<(string Sync, string Kind), long> Counts
    {
        get
        {
            lock (_counts)
                return new Dictionary<(string, string), long>(_counts);
        }
    }

    public async Task RefreshAsync(ControlDatabase control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT sync, kind, count(*), max(id) FROM ibex.conflict WHERE id > $1 GROUP BY sync, kind", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _lastId });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var last = _lastId;
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (r.GetString(0), r.GetString(1));
                lock (_counts)
                    _counts[key] = _counts.GetValueOrDefault(key) + r.GetInt64(2);
                last = Math.Max(last, r.GetInt64(3));
            }
            _lastId = last;
        }
        finally
        {
            _gate.Release();
        }
    }
}
