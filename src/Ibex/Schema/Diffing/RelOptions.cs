using Ibex.Sql;

namespace Ibex.Schema.Diffing;

/// <summary>Storage parameters as pg_class.reloptions holds them (<c>name=value</c>), written back with quoting.</summary>
internal static class RelOptions
{
    public static string Name(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        var eq = option.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? option : option[..eq];
    }

    /// <summary><c>"toast"."autovacuum_enabled"</c>: a namespaced parameter is two identifiers.</summary>
    public static string QuoteName(string name) => string.Join(".", name.Split('.').Select(Ident.Quote));

    /// <summary><c>"fillfactor" = '70'</c>.</summary>
    public static string Set(string option)
    {
        var name = Name(option);
        var value = option.Length > name.Length ? option[(name.Length + 1)..] : "true";
        return QuoteName(name) + " = " + Ident.Literal(value);
    }
}
