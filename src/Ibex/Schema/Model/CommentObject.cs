namespace Ibex.Schema.Model;

/// <summary>A COMMENT ON some other object.</summary>
internal sealed record CommentObject(string TargetKey, string TargetDisplay, string Target, string Text) : SchemaObject
{
    public override string Key => "comment on " + Target;

    public override ObjectKind Kind => ObjectKind.Comment;

    public override string Display => "comment on " + TargetDisplay;

    public override string ParentKey => TargetKey;

    public override string Definition => Text;
}
