using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A text search dictionary (CREATE TEXT SEARCH DICTIONARY): its template and options.</summary>
/// <param name="Options">pg_ts_dict.dictinitoption as written, e.g. <c>language = 'english', stopwords = 'english'</c>, or null.</param>
internal sealed record TextSearchDictionaryObject(QualifiedName Name, QualifiedName Template, string? Options) : SchemaObject
{
    public override string Key => "text search dictionary " + Name.Quoted;

    public override ObjectKind Kind => ObjectKind.TextSearchDictionary;

    public override string Display => "text search dictionary " + Name.Display;

    public override string Schema => Name.Schema;

    public override string Definition => Template.Quoted + "\n" + Options;

    public override string CommentTarget => "TEXT SEARCH DICTIONARY " + Name.Quoted;
}
