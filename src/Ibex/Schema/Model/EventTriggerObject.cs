using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An event trigger (CREATE EVENT TRIGGER), database-wide.</summary>
internal sealed record EventTriggerObject : SchemaObject
{
    public required string Name { get; init; }

    /// <summary>ddl_command_start, ddl_command_end, sql_drop, table_rewrite…</summary>
    public required string Event { get; init; }

    /// <summary>The command tags of WHEN TAG IN (…) in catalog order, empty for every command.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public required QualifiedName Function { get; init; }

    /// <summary>pg_event_trigger.evtenabled: O (origin, the default), D (disabled), R (replica) or A (always).</summary>
    public char Enabled { get; init; } = 'O';

    public override string Key => "event trigger " + Ident.Quote(Name);

    public override ObjectKind Kind => ObjectKind.EventTrigger;

    public override string Display => "event trigger " + DisplayName.Part(Name);

    public override string Definition => string.Join("\n", Event, string.Join(",", Tags), Function.Quoted, Enabled);

    public override string CommentTarget => "EVENT TRIGGER " + Ident.Quote(Name);
}
