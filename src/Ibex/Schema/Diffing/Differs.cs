using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>The differ for each kind of object.</summary>
internal static class Differs
{
    static readonly Dictionary<ObjectKind, IObjectDiffer> ByKind = new()
    {
        [ObjectKind.Schema] = new NamespaceDiffer(),
        [ObjectKind.Extension] = new ExtensionDiffer(),
        [ObjectKind.ForeignDataWrapper] = new ForeignDataWrapperDiffer(),
        [ObjectKind.ForeignServer] = new ForeignServerDiffer(),
        [ObjectKind.UserMapping] = new UserMappingDiffer(),
        [ObjectKind.Collation] = new CollationDiffer(),
        [ObjectKind.Enum] = new EnumDiffer(),
        [ObjectKind.Domain] = new DomainDiffer(),
        [ObjectKind.CompositeType] = new CompositeTypeDiffer(),
        [ObjectKind.RangeType] = new RangeTypeDiffer(),
        [ObjectKind.Sequence] = new SequenceDiffer(),
        [ObjectKind.Function] = new FunctionDiffer(),
        [ObjectKind.Aggregate] = new AggregateDiffer(),
        [ObjectKind.Operator] = new OperatorDiffer(),
        [ObjectKind.OperatorFamily] = new OperatorFamilyDiffer(),
        [ObjectKind.OperatorClass] = new OperatorClassDiffer(),
        [ObjectKind.Cast] = new CastDiffer(),
        [ObjectKind.TextSearchDictionary] = new TextSearchDictionaryDiffer(),
        [ObjectKind.TextSearchConfiguration] = new TextSearchConfigurationDiffer(),
        [ObjectKind.Table] = new TableDiffer(),
        [ObjectKind.Column] = new ColumnDiffer(),
        [ObjectKind.SequenceOwner] = new SequenceOwnerDiffer(),
        [ObjectKind.Constraint] = new ConstraintDiffer(),
        [ObjectKind.Index] = new IndexDiffer(),
        [ObjectKind.Statistics] = new StatisticsDiffer(),
        [ObjectKind.ReplicaIdentity] = new ReplicaIdentityDiffer(),
        [ObjectKind.View] = new ViewDiffer(),
        [ObjectKind.MaterializedView] = new ViewDiffer(),
        [ObjectKind.Trigger] = new TriggerDiffer(),
        [ObjectKind.Rule] = new RuleDiffer(),
        [ObjectKind.Policy] = new PolicyDiffer(),
        [ObjectKind.Publication] = new PublicationDiffer(),
        [ObjectKind.EventTrigger] = new EventTriggerDiffer(),
        [ObjectKind.Comment] = new CommentDiffer(),
        [ObjectKind.Privilege] = new PrivilegeDiffer(),
    };

    public static IObjectDiffer For(ObjectKind kind) => ByKind[kind];
}
