using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A trigger (not an internal one, not a partition's clone of its parent's).</summary>
internal sealed record TriggerObject : SchemaObject
{
    public required QualifiedName Table { get; init; }

    public required string Name { get; init; }

    /// <summary>The key of the table or view the trigger is on.</summary>
    public required string RelationKey { get; init; }

    /// <summary>True for CREATE CONSTRAINT TRIGGER.</summary>
    public bool IsConstraint { get; init; }

    /// <summary><c>pg_get_triggerdef</c> after <c>CREATE TRIGGER name </c>: timing, events, table, function.</summary>
    public required string Body { get; init; }

    /// <summary>pg_trigger.tgenabled: O (origin, the default), D (disabled), R (replica) or A (always).</summary>
    public char Enabled { get; init; } = 'O';

    public override string Key => Keys.Trigger(Table, Name);

    public override ObjectKind Kind => ObjectKind.Trigger;

    public override string Display => "trigger " + DisplayName.Part(Name) + " on " + Table.Display;

    public override string Schema => Table.Schema;

    public override string ParentKey => RelationKey;

    public override string Definition => (IsConstraint ? "constraint " : "") + Body + "\n" + Enabled;

    public override string CommentTarget => "TRIGGER " + Ident.Quote(Name) + " ON " + Table.Quoted;
}
