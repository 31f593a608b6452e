namespace Ibex.Monitoring.Metrics;

/// <summary>Totals of one link since the daemon started, carried across pipeline restarts: they never decrease.</summary>
public sealed record LinkTotals(string Sync, string Source, string Target, long Inserts, long Updates, long Deletes, long Truncates, long Transactions, long Failures);

/// <summary>Restarts of one source pipeline since the daemon started, carried across runner restarts.</summary>
public sealed record PipelineTotals(string Sync, string Source, long Restarts);
