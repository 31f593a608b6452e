using System.Text;

namespace Ibex.Connections;

/// <summary>
/// libpq's connection URI, <c>postgresql://[user[:password]@][host[:port][,...]][/dbname][?key=value&amp;...]</c>, with
/// every part percent-decoded (<c>%3B</c> for ';', <c>%40</c> for '@', ...). Errors name the part, never its text.
/// </summary>
public static class LibpqUri
{
    public static bool IsUri(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The parameters in order, as libpq key names; throws <see cref="IbexException"/> naming the part at fault.</summary>
    public static List<ConnectionParameter> Parse(string s, string what)
    {
        ArgumentNullException.ThrowIfNull(s);
        var result = new List<ConnectionParameter>();
        var rest = s[(s.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var query = q >= 0 ? rest[(q + 1)..] : "";
        if (q >= 0)
            rest = rest[..q];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        // The last '@' ends the user part, so a password with a raw '@' still works (libpq wants it as %40).
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                Add(result, "user", Decode(userInfo[..colon], "user", what));
                Add(result, "password", Decode(userInfo[(colon + 1)..], "password", what));
            }
            else if (userInfo.Length > 0)
                Add(result, "user", Decode(userInfo, "user", what));
        }
        if (authority.Length > 0)
            AddHosts(result, authority, what);
        if (slash >= 0 && slash + 1 < rest.Length)
            Add(result, "dbname", Decode(rest[(slash + 1)..], "dbname", what));
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                var after = result.Count > 0 && result[^1] is { IsSecret: true, Open: true } secret ? $" after the value of '{secret.Key}'" : "";
                throw new IbexException($"{what}: malformed URI parameter{after} (no '='); write ?name=value&name=value and percent-encode '&' inside a value (%26)");
            }
            var key = Decode(pair[..eq], "a URI parameter name", what);
            // A raw '&' inside a value would have cut it: the value is open-ended.
            result.Add(new ConnectionParameter(key, Decode(pair[(eq + 1)..], $"'{key}'", what), Open: true));
        }
        return result;
    }

    static void Add(List<ConnectionParameter> result, string key, string value) => result.Add(new ConnectionParameter(key, value, Open: false));

    static void AddHosts(List<ConnectionParameter> result, string authority, string what)
    {
        var hosts = new List<string>();
        var ports = new List<string>();
        foreach (var part in authority.Split(','))
        {
            string h, p = "";
            if (part.StartsWith('['))
            {
                var close = part.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                    throw new IbexException($"{what}: unterminated '[' in an IPv6 host; write postgresql://user@[::1]:5432/dbname");
                h = part[1..close];
                if (close + 1 < part.Length && part[close + 1] == ':')
                    p = part[(close + 2)..];
            }
            else
            {
                var colon = part.LastIndexOf(':');
                h = colon >= 0 ? part[..colon] : part;
                p = colon >= 0 ? part[(colon + 1)..] : "";
            }
            hosts.Add(Decode(h, "host", what));
            ports.Add(Decode(p, "port", what));
        }
        Add(result, "host", string.Join(',', hosts));
        if (ports.Any(p => p.Length > 0))
            Add(result, "port", string.Join(',', ports.Select(p => p.Length > 0 ? p : "5432")));
    }

    /// <summary>libpq's percent-decoding: '%' takes exactly two hex digits; %00 is refused; the bytes are UTF-8.</summary>
    static string Decode(string s, string part, string what)
    {
        if (!s.Contains('%', StringComparison.Ordinal))
            return s;
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length;)
        {
            if (s[i] != '%')
            {
                var next = s.IndexOf('%', i);
                var end = next < 0 ? s.Length : next;
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i..end]));
                i = end;
                continue;
            }
            if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2]) || (s[i + 1] == '0' && s[i + 2] == '0'))
                throw new IbexException($"{what}: bad percent-encoding in the {part} of the URI ('%' must be followed by two hex digits, not 00); write '%25' for a '%' itself");
            bytes.Add((byte)((Uri.FromHex(s[i + 1]) << 4) | Uri.FromHex(s[i + 2])));
            i += 3;
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw new IbexException($"{what}: the {part} of the URI is not valid UTF-8 once percent-decoded");
        }
    }
}
