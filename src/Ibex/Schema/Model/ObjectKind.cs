namespace Ibex.Schema.Model;

/// <summary>
/// The kinds of schema object the diff knows. The order is the creation order used when dependencies leave a
/// choice (drops go in the reverse order).
/// </summary>
internal enum ObjectKind
{
    Schema,
    Extension,
    Enum,
    Domain,
    CompositeType,
    Sequence,
    Function,
    Table,
    Column,
    SequenceOwner,
    Constraint,
    Index,
    ReplicaIdentity,
    View,
    MaterializedView,
    Trigger,
    Policy,
    Comment,
    Privilege,
}
