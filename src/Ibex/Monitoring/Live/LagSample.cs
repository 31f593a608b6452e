namespace Ibex.Monitoring.Live;

/// <summary>One sample of a link: when, its lag, and the rows applied so far (for rates).</summary>
public readonly record struct LagSample(DateTime At, double? LagSeconds, long? LagBytes, long RowsApplied);
