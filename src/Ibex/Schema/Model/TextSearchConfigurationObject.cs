using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A text search configuration: its parser and, per token type, the dictionaries it tries in order.</summary>
internal sealed record TextSearchConfigurationObject(QualifiedName Name, QualifiedName Parser, IReadOnlyDictionary<string, string> Mappings) : SchemaObject
{
    public override string Key => "text search configuration " + Name.Quoted;

    public override ObjectKind Kind => ObjectKind.TextSearchConfiguration;

    public override string Display => "text search configuration " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => Parser.Quoted + "\n" + string.Join("\n", Mappings.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key + ": " + m.Value));

    public override string CommentTarget => "TEXT SEARCH CONFIGURATION " + Name.Quoted;
}
