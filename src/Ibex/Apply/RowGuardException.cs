using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// A transaction decided on lookups made before it began met a row that changed since (<see cref="Conflicts.RowGuard"/>):
/// the batch stopped there, and the applier decides the rest again.
/// </summary>
public sealed class RowGuardException(PostgresException inner) : Exception(inner?.MessageText, inner);
