namespace Ibex.Monitoring.Live;

/// <summary>A conflict from <c>ibex.conflict</c>, as the dashboard lists it.</summary>
public sealed record RecentConflict(DateTime At, string Sync, string Table, string Kind, string Node, string Winner, string Key);
