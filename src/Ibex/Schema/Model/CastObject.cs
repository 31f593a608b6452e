namespace Ibex.Schema.Model;

/// <summary>A user-defined cast (CREATE CAST), database-wide.</summary>
/// <param name="Source">The source type as <c>format_type</c> writes it.</param>
/// <param name="Target">The target type as <c>format_type</c> writes it.</param>
/// <param name="Method">How it converts: <c>WITH FUNCTION "s"."f"(args)</c>, <c>WITHOUT FUNCTION</c> or <c>WITH INOUT</c>.</param>
/// <param name="Context">pg_cast.castcontext: e (explicit), a (assignment) or i (implicit).</param>
internal sealed record CastObject(string Source, string Target, string Method, char Context) : SchemaObject
{
    /// <summary>The cast as CREATE, DROP and COMMENT name it.</summary>
    public string Pair => "(" + Source + " AS " + Target + ")";

    public override string Key => "cast " + Pair;

    public override ObjectKind Kind => ObjectKind.Cast;

    public override string Display => "cast from " + Source + " to " + Target;

    public override string Definition => Method + "\n" + Context;

    public override string CommentTarget => "CAST " + Pair;
}
