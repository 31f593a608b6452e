using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Text search configurations: created on their parser, then one mapping per token type; mappings are added,
/// changed and dropped in place (a new parser drops and creates the configuration again).
/// </summary>
internal sealed class TextSearchConfigurationDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var c = (TextSearchConfigurationObject)obj;
        var statements = new List<PlannedStatement> { new($"CREATE TEXT SEARCH CONFIGURATION {c.Name.Quoted} (PARSER = {c.Parser.Quoted});") };
        statements.AddRange(c.Mappings.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => Mapping(c, "ADD", m.Key, m.Value)));
        return statements;
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP TEXT SEARCH CONFIGURATION {((TextSearchConfigurationObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context)
    {
        var f = (TextSearchConfigurationObject)from;
        var t = (TextSearchConfigurationObject)to;
        if (f.Parser != t.Parser)
            return null;
        var statements = new List<PlannedStatement>();
        foreach (var token in t.Mappings.Keys.Except(f.Mappings.Keys).Order(StringComparer.Ordinal))
            statements.Add(new($"ALTER TEXT SEARCH CONFIGURATION {f.Name.Quoted} DROP MAPPING FOR {Ident.Quote(token)};"));
        foreach (var (token, dictionaries) in f.Mappings.OrderBy(m => m.Key, StringComparer.Ordinal))
            if (!t.Mappings.TryGetValue(token, out var old))
                statements.Add(Mapping(f, "ADD", token, dictionaries));
            else if (old != dictionaries)
                statements.Add(Mapping(f, "ALTER", token, dictionaries));
        return new AlterResult(statements);
    }

    static PlannedStatement Mapping(TextSearchConfigurationObject c, string how, string token, string dictionaries)
        => new($"ALTER TEXT SEARCH CONFIGURATION {c.Name.Quoted} {how} MAPPING FOR {Ident.Quote(token)} WITH {dictionaries};");
}
