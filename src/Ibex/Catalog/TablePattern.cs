using System.Text;
using System.Text.RegularExpressions;

namespace Ibex.Catalog;

/// <summary>
/// A table pattern as an operator writes it: <c>public.orders</c>, <c>sales.*</c>, <c>"Odd Schema"."Order Items"</c>,
/// <c>orders</c> (schema public). Unquoted parts fold to lower case like SQL identifiers; <c>*</c> and <c>?</c> are
/// wildcards outside quotes.
/// </summary>
public sealed record TablePattern(string Text, Regex Schema, Regex Table)
{
    /// <summary>Splits a comma-separated list of patterns, respecting quotes.</summary>
    public static IReadOnlyList<TablePattern> ParseList(IEnumerable<string> items)
    {
        var result = new List<TablePattern>();
        foreach (var item in items)
            foreach (var part in SplitOutsideQuotes(item, ','))
                if (part.Trim().Length > 0)
                    result.Add(Parse(part.Trim()));
        return result;
    }

    public static TablePattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = SplitOutsideQuotes(text, '.');
        if (parts.Count > 2 || parts.Any(p => p.Length == 0))
            throw new IbexException($"table pattern '{text}' is malformed; write schema.table, schema.* or \"Odd Schema\".\"Odd Table\"");
        var schema = parts.Count == 2 ? parts[0] : "public";
        var table = parts[^1];
        return new TablePattern(text, ToRegex(schema, text), ToRegex(table, text));
    }

    public bool Matches(string schema, string table) => Schema.IsMatch(schema) && Table.IsMatch(table);

    /// <summary>Parses an exact name (no wildcards): <c>archive.orders_2026</c>, <c>"Odd".Name</c>; schema defaults to public.</summary>
    public static Sql.QualifiedName ParseName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = SplitOutsideQuotes(text.Trim(), '.');
        if (parts.Count > 2 || parts.Any(p => p.Length == 0))
            throw new IbexException($"'{text}' is not a table name; write schema.table");
        var names = parts.Select(Unquote).ToList();
        return names.Count == 2 ? new Sql.QualifiedName(names[0], names[1]) : new Sql.QualifiedName("public", names[0]);

        string Unquote(string part)
        {
            part = part.Trim();
            if (part.Length >= 2 && part[0] == '"' && part[^1] == '"')
                return part[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
            if (part.Contains('*', StringComparison.Ordinal) || part.Contains('?', StringComparison.Ordinal) || part.Contains('"', StringComparison.Ordinal))
                throw new IbexException($"'{text}' is not a table name; write schema.table (no wildcards)");
            return part.ToLowerInvariant();
        }
    }

    static Regex ToRegex(string part, string whole)
    {
        var sb = new StringBuilder("^");
        var i = 0;
        while (i < part.Length)
        {
            var c = part[i];
            if (c == '"')
            {
                var end = i + 1;
                var lit = new StringBuilder();
                while (true)
                {
                    if (end >= part.Length)
                        throw new IbexException($"table pattern '{whole}' has an unterminated double quote");
                    if (part[end] == '"')
                    {
                        if (end + 1 < part.Length && part[end + 1] == '"')
                        {
                            lit.Append('"');
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    lit.Append(part[end++]);
                }
                sb.Append(Regex.Escape(lit.ToString()));
                i = end + 1;
            }
            else if (c == '*')
            {
                sb.Append(".*");
                i++;
            }
            else if (c == '?')
            {
                sb.Append('.');
                i++;
            }
            else
            {
                sb.Append(Regex.Escape(char.ToLowerInvariant(c).ToString()));
                i++;
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }

    static List<string> SplitOutsideQuotes(string s, char sep)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in s)
        {
            if (c == '"')
                quoted = !quoted;
            if (c == sep && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(c);
        }
        parts.Add(current.ToString());
        return parts;
    }
}
