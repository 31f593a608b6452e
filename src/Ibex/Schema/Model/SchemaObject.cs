namespace Ibex.Schema.Model;

/// <summary>
/// One object of a database schema as read from the catalogs. Objects with the same <see cref="Key"/> in two
/// databases are the same object; they differ when their <see cref="Definition"/> differs.
/// </summary>
internal abstract record SchemaObject
{
    /// <summary>Identity across databases, e.g. <c>table "public"."users"</c>.</summary>
    public abstract string Key { get; }

    public abstract ObjectKind Kind { get; }

    /// <summary>How messages name the object, e.g. <c>column public.users.email</c>.</summary>
    public abstract string Display { get; }

    /// <summary>The schema the object lives in (null for schemas themselves and cluster-wide things).</summary>
    public virtual string? Schema => null;

    /// <summary>The object this one belongs to (a column's table, a comment's target), or null.</summary>
    public virtual string? ParentKey => null;

    /// <summary>
    /// The object whose drop takes this one with it (a table for its indexes, the owning column for a serial
    /// sequence), or null when this object needs its own DROP.
    /// </summary>
    public virtual string? DroppedWith => ParentKey;

    /// <summary>Orders steps that are otherwise free to go in any order (columns go by position).</summary>
    public virtual string OrderKey => Key;

    /// <summary>Everything that is compared between databases, as one string.</summary>
    public abstract string Definition { get; }

    /// <summary>The object as COMMENT ON names it (e.g. <c>TABLE "s"."t"</c>), or null if it takes no comment.</summary>
    public virtual string? CommentTarget => null;

    /// <summary>The object as GRANT names it (e.g. <c>TABLE "s"."t"</c>), or null if it has no privileges.</summary>
    public virtual string? PrivilegeTarget => null;
}
