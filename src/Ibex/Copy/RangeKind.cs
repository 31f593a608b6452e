namespace Ibex.Copy;

/// <summary>How a table's copy is split into ranges.</summary>
public enum RangeKind
{
    /// <summary>By a single-column integer key (smallint, integer, bigint): a change can be mapped to its range, so a copy can resume.</summary>
    Integer,

    /// <summary>By a single-column uuid key, ordered as PostgreSQL orders uuids (bytewise): resumable like <see cref="Integer"/>.</summary>
    Uuid,

    /// <summary>By ctid block ranges, for any table (keyless, text keys, composite keys): a resumed copy starts the table again.</summary>
    Block,
}
