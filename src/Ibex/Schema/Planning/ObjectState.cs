namespace Ibex.Schema.Planning;

/// <summary>What the script does to one object.</summary>
internal enum ObjectState
{
    /// <summary>Only in the source: create it.</summary>
    Added,

    /// <summary>Only in the target (or dropped with something that goes): drop it.</summary>
    Removed,

    /// <summary>In both, changed in place.</summary>
    Altered,

    /// <summary>Dropped and created again: it changed in a way ALTER cannot express, or something it needs is replaced.</summary>
    Replaced,

    /// <summary>
    /// A column whose default uses a function, sequence or type that is replaced: DROP DEFAULT before, SET DEFAULT after.
    /// </summary>
    DefaultReset,

    /// <summary>
    /// A column of an enum, domain or composite type that is created again (labels removed, a new base type…):
    /// converted to the new type through text, while the old type is renamed out of the way and dropped afterwards.
    /// </summary>
    Converted,
}
