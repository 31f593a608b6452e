using System.Text;

namespace Ibex.Connections;

/// <summary>
/// libpq's <c>key=value</c> grammar, exactly as <c>conninfo_parse</c> reads it: pairs separated by white space, white
/// space allowed around <c>=</c>, a value either single-quoted (may hold spaces; <c>\'</c> and <c>\\</c> escape) or
/// unquoted up to the next white space (a backslash escapes the next character there too). Errors name keys, never
/// any part of a value.
/// </summary>
public static class LibpqKeyValue
{
    /// <summary>The first key of a key=value string (up to '=' or white space), or "" when there is none.</summary>
    public static string FirstKey(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
            i++;
        var start = i;
        while (i < s.Length && s[i] != '=' && !char.IsWhiteSpace(s[i]))
            i++;
        return s[start..i];
    }

    /// <summary>The pairs in order; throws <see cref="IbexException"/> naming the key at fault.</summary>
    public static List<ConnectionParameter> Parse(string s, string what)
    {
        ArgumentNullException.ThrowIfNull(s);
        var result = new List<ConnectionParameter>();
        var i = 0;
        while (true)
        {
            SkipWhiteSpace(s, ref i);
            if (i >= s.Length)
                return result;
            var keyStart = i;
            while (i < s.Length && s[i] != '=' && !char.IsWhiteSpace(s[i]))
                i++;
            var key = s[keyStart..i];
            SkipWhiteSpace(s, ref i);
            if (i >= s.Length || s[i] != '=')
                throw new IbexException($"{what}: missing '=' {Where(result, key)}; write key=value pairs like 'host=h port=5432 dbname=d', and quote a value that holds spaces: password='a b'");
            i++;
            SkipWhiteSpace(s, ref i);
            var quoted = i < s.Length && s[i] == '\'';
            var value = quoted ? QuotedValue(s, ref i, key, what) : UnquotedValue(s, ref i);
            result.Add(new ConnectionParameter(key, value, Open: !quoted));
        }
    }

    /// <summary>
    /// Where a bad word is, without repeating it when it may be the tail of a secret (an unquoted password cut at a
    /// space): then the pair before it is named instead.
    /// </summary>
    internal static string Where(List<ConnectionParameter> before, string word)
        => before.Count > 0 && before[^1] is { IsSecret: true, Open: true } secret ? $"after the value of '{secret.Key}'" : $"after '{word}'";

    static void SkipWhiteSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
            i++;
    }

    static string QuotedValue(string s, ref int i, string key, string what)
    {
        var value = new StringBuilder();
        i++;
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == '\'')
                return value.ToString();
            if (c == '\\')
            {
                if (i >= s.Length)
                    break;
                c = s[i++];
            }
            value.Append(c);
        }
        throw new IbexException($"{what}: unterminated quoted value for '{key}'; close it with a single quote (write \\' for a quote inside it)");
    }

    static string UnquotedValue(string s, ref int i)
    {
        var value = new StringBuilder();
        while (i < s.Length && !char.IsWhiteSpace(s[i]))
        {
            var c = s[i++];
            if (c == '\\')
            {
                // libpq: a backslash takes the next character literally; a trailing backslash is dropped.
                if (i >= s.Length)
                    break;
                c = s[i++];
            }
            value.Append(c);
        }
        return value.ToString();
    }
}
