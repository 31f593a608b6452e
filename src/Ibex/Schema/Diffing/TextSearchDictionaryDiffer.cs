using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>Text search dictionaries: any change drops and creates the dictionary again, with the configurations that use it.</summary>
internal sealed class TextSearchDictionaryDiffer : IObjectDiffer
{
    public IReadOnlyList<PlannedStatement> Create(SchemaObject obj, SchemaModel source, DiffContext context)
    {
        var d = (TextSearchDictionaryObject)obj;
        return [new($"CREATE TEXT SEARCH DICTIONARY {d.Name.Quoted} (TEMPLATE = {d.Template.Quoted}{(d.Options is { } o ? ", " + o : "")});")];
    }

    public IReadOnlyList<PlannedStatement> Drop(SchemaObject obj, DiffContext context) => [new($"DROP TEXT SEARCH DICTIONARY {((TextSearchDictionaryObject)obj).Name.Quoted};")];

    public AlterResult? Alter(SchemaObject from, SchemaObject to, DiffContext context) => null;
}
