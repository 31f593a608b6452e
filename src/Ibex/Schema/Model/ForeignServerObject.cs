using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A foreign server (CREATE SERVER), database-wide.</summary>
/// <param name="Options">Generic options as the catalog keeps them (<c>name=value</c>).</param>
internal sealed record ForeignServerObject(string Name, string Wrapper, string? Type, string? Version, IReadOnlyList<string> Options) : SchemaObject
{
    public override string Key => "server " + Ident.Quote(Name);

    public override ObjectKind Kind => ObjectKind.ForeignServer;

    public override string Display => "server " + DisplayName.Part(Name);

    public override string Definition => string.Join("\n", Wrapper, Type, Version, string.Join(",", Options));

    public override string CommentTarget => "SERVER " + Ident.Quote(Name);

    public override string PrivilegeTarget => "FOREIGN SERVER " + Ident.Quote(Name);
}
