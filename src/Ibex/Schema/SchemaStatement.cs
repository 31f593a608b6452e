namespace Ibex.Schema;

/// <summary>One statement of a schema diff script.</summary>
/// <param name="Sql">The statement, ending with a semicolon.</param>
/// <param name="Hazards">Why it needs attention, e.g. <c>drop column public.users.email (data loss)</c>; empty if harmless.</param>
/// <param name="Transactional">True when it runs inside the script's transaction; false for statements PostgreSQL
/// does not allow there (ALTER TYPE … ADD VALUE before BEGIN, CREATE INDEX CONCURRENTLY after COMMIT).</param>
/// <param name="DataLoss">True when it can lose data (refused unless hazards are allowed).</param>
public sealed record SchemaStatement(string Sql, IReadOnlyList<string> Hazards, bool Transactional, bool DataLoss);
