using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>
/// Generic options of foreign data wrappers, servers and user mappings, kept as the catalog does
/// (<c>name=value</c>), written as <c>OPTIONS (name 'value', …)</c>.
/// </summary>
internal static class GenericOptions
{
    /// <summary>The OPTIONS clause that sets <paramref name="options"/> on a new object ("" when there are none).</summary>
    public static string Create(IReadOnlyList<string> options)
        => options.Count == 0 ? "" : " OPTIONS (" + string.Join(", ", options.Select(o => Option("", o))) + ")";

    /// <summary>The OPTIONS clause that turns <paramref name="have"/> into <paramref name="want"/> ("" when equal).</summary>
    public static string Change(IReadOnlyList<string> have, IReadOnlyList<string> want)
    {
        var old = have.ToDictionary(Name, StringComparer.Ordinal);
        var wanted = want.ToDictionary(Name, StringComparer.Ordinal);
        var parts = new List<string>();
        parts.AddRange(old.Keys.Except(wanted.Keys).Order(StringComparer.Ordinal).Select(n => "DROP " + Ident.Quote(n)));
        foreach (var (name, option) in wanted.OrderBy(w => w.Key, StringComparer.Ordinal))
            if (!old.TryGetValue(name, out var was))
                parts.Add(Option("ADD ", option));
            else if (was != option)
                parts.Add(Option("SET ", option));
        return parts.Count == 0 ? "" : " OPTIONS (" + string.Join(", ", parts) + ")";
    }

    static string Name(string option) => option.Split('=', 2)[0];

    static string Option(string how, string option)
    {
        var parts = option.Split('=', 2);
        return how + Ident.Quote(parts[0]) + " " + Ident.Literal(parts.Length > 1 ? parts[1] : "");
    }
}
