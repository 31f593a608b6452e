namespace Ibex.Monitoring.Live;

/// <summary>Per sync, the conflict counts by kind at each sample of the last hour (the dashboard's conflicts chart).</summary>
public sealed class ConflictHistory(int capacity)
{
    readonly Dictionary<string, Ring<ConflictSample>> _syncs = [];

    /// <summary>Records the counts of every sync at one sample.</summary>
    public void Add(DateTime at, IEnumerable<string> syncs, IReadOnlyDictionary<(string Sync, string Kind), long> counts)
    {
        ArgumentNullException.ThrowIfNull(syncs);
        ArgumentNullException.ThrowIfNull(counts);
        lock (_syncs)
        {
            foreach (var sync in syncs)
            {
                if (!_syncs.TryGetValue(sync, out var ring))
                    _syncs[sync] = ring = new Ring<ConflictSample>(capacity);
                ring.Add(new ConflictSample(at, counts.Where(c => c.Key.Sync == sync).ToDictionary(c => c.Key.Kind, c => c.Value)));
            }
        }
    }

    /// <summary>The samples of a sync, oldest first.</summary>
    public IReadOnlyList<ConflictSample> Get(string sync)
    {
        lock (_syncs)
            return _syncs.TryGetValue(sync, out var ring) ? ring.ToList() : [];
    }
}
