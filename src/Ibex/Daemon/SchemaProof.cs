using System.Collections.Concurrent;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Monitoring;
using Ibex.Schema;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// The proof after replicated DDL: once every statement the readers passed on (<see cref="Note"/>) is on every target,
/// the schema diff engine compares the sync's tables on each node with the reference node (the source; in
/// multi-master, the first source) and records the result (<see cref="SchemaCheckStore"/>), which <c>ibex status</c>
/// and <c>ibex check</c> show. A difference is recorded only when a second look finds the same with no DDL read in
/// between, so a statement committed on a source but not read yet is not taken for drift.
/// </summary>
public sealed class SchemaProof(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, ILogger log)
{
    readonly ConcurrentDictionary<string, NpgsqlLogSequenceNumber> _pending = new(StringComparer.Ordinal);
    readonly Dictionary<string, string?> _reported = new(StringComparer.Ordinal);
    long _generation;
    Dictionary<string, string?>? _candidate;

    /// <summary>How often the proof looks whether the statements noted are applied everywhere.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The node the others are compared with.</summary>
    public string Reference => sync.Sources.First().Node;

    /// <summary>The reader of <paramref name="source"/> passed on a DDL statement at <paramref name="lsn"/>.</summary>
    public void Note(string source, NpgsqlLogSequenceNumber lsn)
    {
        _pending.AddOrUpdate(source, lsn, (_, old) => old > lsn ? old : lsn);
        Interlocked.Increment(ref _generation);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            if (_pending.IsEmpty)
                continue;
            var generation = Interlocked.Read(ref _generation);
            var pending = _pending.ToArray();
            if (!await AppliedAsync(pending, cancellationToken).ConfigureAwait(false))
                continue;
            var drift = await DiffAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Read(ref _generation) != generation)
                continue; // more DDL meanwhile: look again once it is applied
            if (drift.Values.Any(d => d is not null) && !Same(drift, _candidate))
            {
                _candidate = drift;
                continue;
            }
            _candidate = null;
            foreach (var (source, lsn) in pending)
                _pending.TryRemove(KeyValuePair.Create(source, lsn));
            await RecordAsync(drift, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<bool> AppliedAsync(KeyValuePair<string, NpgsqlLogSequenceNumber>[] pending, CancellationToken cancellationToken)
    {
        foreach (var (source, lsn) in pending)
            if (!await OriginProgress.PassedEverywhereAsync(sync, nodes, source, lsn, cancellationToken).ConfigureAwait(false))
                return false;
        return true;
    }

    // Each other streamed node against the reference, over the sync's tables as the control database has them now.
    async Task<Dictionary<string, string?>> DiffAsync(CancellationToken cancellationToken)
    {
        var tables = await new SchemaFollowStore(control).TablesAsync(sync.Name, cancellationToken).ConfigureAwait(false);
        var options = new SchemaDiffOptions { OnlyTables = tables, AllowHazards = true };
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using var from = await NodeDataSources.OpenAsync(nodes[Reference], cancellationToken).ConfigureAwait(false);
        foreach (var node in sync.Nodes.Select(n => n.Node).Where(n => n != Reference && sync.Streams(n)))
        {
            await using var to = await NodeDataSources.OpenAsync(nodes[node], cancellationToken).ConfigureAwait(false);
            var diff = await SchemaDiff.DiffAsync(from, to, options, cancellationToken).ConfigureAwait(false);
            result[node] = diff.HasDifferences ? string.Join("\n", diff.Statements.Select(st => st.Sql.Trim())) : null;
        }
        return result;
    }

    static bool Same(Dictionary<string, string?> a, Dictionary<string, string?>? b)
        => b is not null && a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && v == e.Value);

    async Task RecordAsync(Dictionary<string, string?> drift, CancellationToken cancellationToken)
    {
        var store = new SchemaCheckStore(control);
        foreach (var (node, script) in drift)
        {
            await store.SaveAsync(sync.Name, new SchemaCheck(node, Reference, DateTime.UtcNow, script), cancellationToken).ConfigureAwait(false);
            var before = _reported.GetValueOrDefault(node);
            _reported[node] = script;
            if (script is not null && script != before)
            {
                var message = $"after the replicated DDL, the synced tables on '{node}' differ from '{Reference}'; to make them match, run on '{node}': {script.ReplaceLineEndings(" ")}";
                log.LogWarning("sync {Sync}: {Message}", sync.Name, message);
                await control.LogEventAsync(sync.Name, node, "warning", message, cancellationToken).ConfigureAwait(false);
            }
            else if (script is null && before is not null)
                log.LogInformation("sync {Sync}: the synced tables on '{Node}' match '{Reference}' again", sync.Name, node, Reference);
        }
    }
}
