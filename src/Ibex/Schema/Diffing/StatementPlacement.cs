namespace Ibex.Schema.Diffing;

/// <summary>Where a statement runs relative to the script's one transaction.</summary>
internal enum StatementPlacement
{
    /// <summary>Before BEGIN: ALTER TYPE … ADD VALUE, so later statements may use the new value.</summary>
    BeforeTransaction,

    Transaction,

    /// <summary>After COMMIT: CREATE INDEX CONCURRENTLY, which cannot run in a transaction block.</summary>
    AfterTransaction,
}
