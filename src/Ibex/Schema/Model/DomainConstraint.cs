namespace Ibex.Schema.Model;

/// <summary>A CHECK constraint of a domain: its name and <c>pg_get_constraintdef</c> text (without NOT VALID).</summary>
internal sealed record DomainConstraint(string Name, string Check, bool Validated);
