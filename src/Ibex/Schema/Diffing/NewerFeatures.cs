using System.Text.RegularExpressions;
using Ibex.Schema.Model;

namespace Ibex.Schema.Diffing;

/// <summary>
/// What a <c>--from</c> schema on a newer PostgreSQL uses that the older <c>--to</c> server does not have: one
/// warning per object the script would create or change with it, naming the feature and the version that brought it,
/// so the script is fixed before it fails half-way on the older server. Objects the <c>--to</c> side already has as
/// they are are not named (that server evidently takes them). Built-in functions are matched by name in the printed
/// definitions: PostgreSQL records no dependency on them.
/// </summary>
internal static partial class NewerFeatures
{
    static readonly (Regex Pattern, string Feature, int Since)[] InDefinitions =
    [
        (Call("uuidv7"), "uuidv7()", 18),
        (Call("uuidv4"), "uuidv4()", 18),
        (Call("casefold"), "casefold()", 18),
        (Call("array_sort"), "array_sort()", 18),
        (Call("array_reverse"), "array_reverse()", 18),
        (Word("WITHOUT OVERLAPS"), "a temporal key (WITHOUT OVERLAPS)", 18),
        (Word("PERIOD"), "a temporal foreign key (PERIOD)", 18),
        (Call("JSON_TABLE"), "JSON_TABLE", 17),
        (Call("JSON_QUERY"), "JSON_QUERY", 17),
        (Call("JSON_VALUE"), "JSON_VALUE", 17),
        (Call("JSON_EXISTS"), "JSON_EXISTS", 17),
        (Call("any_value"), "any_value()", 16),
        (Call("random_normal"), "random_normal()", 16),
        (Call("array_sample"), "array_sample()", 16),
        (Call("array_shuffle"), "array_shuffle()", 16),
        (Word("IS JSON"), "IS JSON", 16),
    ];

    public static IEnumerable<(SchemaObject Object, string Message)> Warnings(SchemaModel from, SchemaModel to, int toMajor)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        foreach (var o in from.Objects.Values.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (to.Find(o.Key) is { } there && there.Definition == o.Definition)
                continue;
            foreach (var (feature, since) in Uses(o).Where(u => u.Since > toMajor).Distinct())
                yield return (o, $"{o.Display} uses {feature}, new in PostgreSQL {since}; the --to server runs PostgreSQL {toMajor}, where the script fails: change it on --from or leave it out of the diff");
        }
    }

    static IEnumerable<(string Feature, int Since)> Uses(SchemaObject o)
    {
        if (o is ColumnObject { Virtual: true })
            yield return ("a virtual generated column", 18);
        foreach (var (pattern, feature, since) in InDefinitions)
            if (pattern.IsMatch(o.Definition))
                yield return (feature, since);
    }

    static Regex Call(string name) => new($@"\b{name}\s*\(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    static Regex Word(string words) => new($@"\b{words}\b", RegexOptions.CultureInvariant);
}
