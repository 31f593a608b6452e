namespace Ibex.Monitoring.Live;

/// <summary>Conflicts of one sync counted since the daemon started, by kind, at one sample.</summary>
public readonly record struct ConflictSample(DateTime At, IReadOnlyDictionary<string, long> Counts);
