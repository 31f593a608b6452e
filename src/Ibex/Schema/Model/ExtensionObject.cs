using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>An installed extension; the objects it owns are not compared one by one.</summary>
internal sealed record ExtensionObject(string Name, string SchemaName, string Version) : SchemaObject
{
    /// <summary>Versions this server can update the installed extension to (not compared).</summary>
    public IReadOnlyList<string> UpdateTargets { get; init; } = [];

    public override string Key => Keys.Extension(Name);

    public override ObjectKind Kind => ObjectKind.Extension;

    public override string Display => "extension " + DisplayName.Part(Name);

    public override string Schema => SchemaName;

    public override string Definition => SchemaName + "\n" + Version;

    public override string CommentTarget => "EXTENSION " + Ident.Quote(Name);
}
