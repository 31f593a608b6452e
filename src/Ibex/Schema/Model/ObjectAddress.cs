namespace Ibex.Schema.Model;

/// <summary>A catalog object address as pg_depend, pg_description and friends use it: catalog, OID, sub-id (column).</summary>
internal readonly record struct ObjectAddress(uint ClassId, uint ObjectId, int SubId = 0)
{
    /// <summary>The same object without the column part.</summary>
    public ObjectAddress Whole => this with { SubId = 0 };
}
