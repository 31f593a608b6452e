using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>Names as an operator reads them in messages: quoted only where needed (never used in SQL text).</summary>
internal static class DisplayName
{
    public static string Of(QualifiedName name) => name.Display;

    public static string Of(QualifiedName table, string column) => table.Display + "." + Part(column);

    public static string Part(string part)
    {
        var plain = part.Length > 0 && (char.IsAsciiLetterLower(part[0]) || part[0] == '_')
            && part.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        return plain ? part : Ident.Quote(part);
    }
}
