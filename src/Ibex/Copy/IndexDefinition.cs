using Ibex.Sql;

namespace Ibex.Copy;

/// <summary>An index on a target table, as <c>pg_get_indexdef</c> writes it (schema-qualified).</summary>
public sealed record IndexDefinition(QualifiedName Table, QualifiedName Index, string Sql);
