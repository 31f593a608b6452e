namespace Ibex.Control.Model;

/// <summary>What a sync does with schema changes (DDL) on its sources (<c>--ddl</c>, stored in <c>ibex.sync.ddl</c>).</summary>
public enum DdlMode
{
    /// <summary>
    /// Nothing is captured; a change of a table's layout stops the link before its first row with the exact
    /// <c>ALTER TABLE</c> to run on the target (or, with <c>--auto-add-columns</c>, added columns are added). The default.
    /// </summary>
    Stop,

    /// <summary>
    /// An event trigger on every source captures the DDL touching the sync's tables and emits it into the stream at its
    /// commit position; targets run it in order, and the sync follows renamed, created and dropped tables.
    /// </summary>
    Replicate,

    /// <summary>
    /// Nothing is captured and layouts are not checked before applying: targets are managed by hand (they may differ
    /// on purpose); a change a target cannot take stops the link with PostgreSQL's own error.
    /// </summary>
    Ignore,
}
