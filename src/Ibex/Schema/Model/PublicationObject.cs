using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A publication (CREATE PUBLICATION), database-wide; Ibex's own (<c>ibex_…</c>) are not compared.</summary>
internal sealed record PublicationObject : SchemaObject
{
    public required string Name { get; init; }

    public bool AllTables { get; init; }

    /// <summary>Tables as CREATE PUBLICATION lists them: <c>TABLE "s"."t" (cols) WHERE (…)</c>, sorted.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary><c>TABLES IN SCHEMA "s"</c> entries, sorted.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>The publish option: the operations published, e.g. <c>insert, update, delete, truncate</c>.</summary>
    public required string Publish { get; init; }

    public bool ViaRoot { get; init; }

    public override string Key => "publication " + Ident.Quote(Name);

    public override ObjectKind Kind => ObjectKind.Publication;

    public override string Display => "publication " + DisplayName.Part(Name);

    public override string Definition => string.Join("\n", AllTables, string.Join(", ", Tables), string.Join(", ", Schemas), Publish, ViaRoot);

    public override string CommentTarget => "PUBLICATION " + Ident.Quote(Name);
}
