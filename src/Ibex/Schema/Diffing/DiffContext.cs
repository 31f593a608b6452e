using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>What differs can ask about the whole diff while writing one object's statements.</summary>
internal sealed class DiffContext(SchemaModel from, SchemaModel to, Func<string, bool> createdInScript)
{
    /// <summary>The schema to reproduce.</summary>
    public SchemaModel From { get; } = from;

    /// <summary>The schema to change.</summary>
    public SchemaModel To { get; } = to;

    /// <summary>
    /// True when the script creates the object (new, or dropped and created again): a table created here is empty,
    /// so building its indexes and constraints takes no long lock.
    /// </summary>
    public bool CreatedInScript(string key) => createdInScript(key);

    /// <summary>Things the operator should know that no statement expresses.</summary>
    public List<string> Warnings { get; } = [];
}
