namespace Ibex.Monitoring;

/// <summary>
/// The last check of a node's synced objects against the reference node after a replicated DDL statement:
/// <paramref name="Drift"/> is the statements <c>ibex schema diff</c> would print, one a line (null: none).
/// </summary>
public sealed record SchemaCheck(string Node, string Reference, DateTime CheckedAt, string? Drift);
