namespace Ibex.Import;

/// <summary>
/// A per-table customisation from <c>bucardo.customname</c> (a different table name on targets) or
/// <c>bucardo.customcols</c> (the column list Bucardo selects): the relation, the value, and the db/sync it is limited to.
/// </summary>
public sealed record BucardoCustom(int Relation, string Value, string? Db, string? Sync);
