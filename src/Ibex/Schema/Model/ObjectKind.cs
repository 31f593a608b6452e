namespace Ibex.Schema.Model;

/// <summary>
/// The kinds of schema object the diff knows. The order is the creation order used when dependencies leave a
/// choice (drops go in the reverse order).
/// </summary>
internal enum ObjectKind
{
    Schema,
    Extension,
    ForeignDataWrapper,
    ForeignServer,
    UserMapping,
    Collation,
    Enum,
    Domain,
    CompositeType,
    RangeType,
    Sequence,
    Function,
    Aggregate,
    Operator,
    OperatorFamily,
    OperatorClass,
    Cast,
    TextSearchDictionary,
    TextSearchConfiguration,
    Table,
    Column,
    SequenceOwner,
    Constraint,
    Index,
    Statistics,
    ReplicaIdentity,
    View,
    MaterializedView,
    Trigger,
    Rule,
    Policy,
    Publication,
    EventTrigger,
    Comment,
    Privilege,
}
