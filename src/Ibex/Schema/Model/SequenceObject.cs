using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>
/// A sequence that is not an identity column's. When a column owns it (serial), dropping that column drops the
/// sequence; the ownership itself is a separate <see cref="SequenceOwnerObject"/>.
/// </summary>
internal sealed record SequenceObject(QualifiedName Name, SequenceOptions Options, string? OwnerColumnKey) : SchemaObject
{
    public override string Key => Keys.Sequence(Name);

    public override ObjectKind Kind => ObjectKind.Sequence;

    public override string Display => "sequence " + Name.Display;

    public override string Schema => Name.Schema;

    public override string? DroppedWith => OwnerColumnKey;

    public override string Definition => Options.Render();

    public override string CommentTarget => "SEQUENCE " + Name.Quoted;

    public override string PrivilegeTarget => "SEQUENCE " + Name.Quoted;
}
