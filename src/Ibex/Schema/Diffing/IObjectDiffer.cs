using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>Writes the statements for one kind of object.</summary>
internal interface IObjectDiffer
{
    /// <summary>Creates <paramref name="obj"/>, which belongs to <paramref name="source"/>.</summary>
    IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context);

    /// <summary>Drops <paramref name="obj"/> of the schema being changed.</summary>
    IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context);

    /// <summary>Turns <paramref name="to"/> into <paramref name="from"/> in place, or returns null if it must be dropped and created again.</summary>
    AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context);
}
