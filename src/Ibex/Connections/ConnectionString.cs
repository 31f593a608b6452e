using System.Globalization;
using System.Text;
using Npgsql;

namespace Ibex.Connections;

/// <summary>
/// Parses every connection form an operator may type — a libpq URI (<c>postgresql://user:pw@host:5432/db?sslmode=require</c>),
/// libpq key=value pairs (<c>host=h port=5432 dbname=db</c>) or Npgsql's own <c>Host=h;Database=db</c> syntax —
/// into Npgsql settings, and prints them back without the password.
/// </summary>
public static class ConnectionString
{
    static readonly Dictionary<string, string> LibpqToNpgsql = new(StringComparer.Ordinal)
    {
        ["host"] = "Host",
        ["hostaddr"] = "Host",
        ["port"] = "Port",
        ["dbname"] = "Database",
        ["user"] = "Username",
        ["password"] = "Password",
        ["passfile"] = "Passfile",
        ["sslmode"] = "SSL Mode",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["fallback_application_name"] = "Application Name",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["client_encoding"] = "Client Encoding",
        ["gssencmode"] = "GSS Encryption Mode",
        ["channel_binding"] = "Channel Binding",
        ["krbsrvname"] = "Kerberos Service Name",
        ["keepalives_idle"] = "Tcp Keepalive Time",
        ["keepalives_interval"] = "Tcp Keepalive Interval",
        ["keepalives"] = "",
        ["sslcompression"] = "",
        ["sslsni"] = "",
        ["requirepeer"] = "",
        ["ssl_min_protocol_version"] = "",
        ["ssl_max_protocol_version"] = "",
    };

    /// <summary>Parses a connection string in any supported form; throws <see cref="IbexException"/> with a one-line reason.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string text, string what = "connection string")
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new IbexException($"{what} is empty; give a URI like postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'");
        Dictionary<string, string> pairs;
        if (trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            pairs = ParseUri(trimmed, what);
        else if (LooksLikeLibpq(trimmed))
            pairs = ParseKeyValue(trimmed, what);
        else
            return ParseNpgsql(trimmed, what);
        return Build(pairs, what);
    }

    /// <summary>The connection string Npgsql understands, for a parsed operator string.</summary>
    public static string ToNpgsql(string text, string what = "connection string") => Parse(text, what).ConnectionString;

    /// <summary>A description safe to print or log: <c>postgresql://user@host:port/db</c>, never the password.</summary>
    public static string Redact(string text)
    {
        try
        {
            return Describe(Parse(text));
        }
        catch (IbexException)
        {
            return "(unparsable connection string)";
        }
    }

    /// <summary>A description of parsed settings without the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var host = b.Host ?? "";
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
            host = "[" + host + "]";
        return $"postgresql://{b.Username}@{host}:{b.Port}/{b.Database}";
    }

    static bool LooksLikeLibpq(string s)
    {
        // libpq key=value: lower-case keywords separated by white space, no ';' between pairs.
        var first = s.IndexOf('=', StringComparison.Ordinal);
        if (first <= 0)
            return false;
        var key = s[..first].Trim();
        return LibpqToNpgsql.ContainsKey(key) && !s.Contains(';', StringComparison.Ordinal);
    }

    static Dictionary<string, string> ParseKeyValue(string s, string what)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
                i++;
            if (i >= s.Length)
                break;
            var keyStart = i;
            while (i < s.Length && s[i] != '=' && !char.IsWhiteSpace(s[i]))
                i++;
            var key = s[keyStart..i];
            while (i < s.Length && char.IsWhiteSpace(s[i]))
                i++;
            if (i >= s.Length || s[i] != '=')
                throw new IbexException($"{what}: missing '=' after '{key}'; write key=value pairs like 'host=h port=5432 dbname=d'");
            i++;
            while (i < s.Length && char.IsWhiteSpace(s[i]))
                i++;
            var value = new StringBuilder();
            if (i < s.Length && s[i] == '\'')
            {
                i++;
                var closed = false;
                while (i < s.Length)
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        value.Append(s[i + 1]);
                        i += 2;
                    }
                    else if (s[i] == '\'')
                    {
                        i++;
                        closed = true;
                        break;
                    }
                    else
                        value.Append(s[i++]);
                }
                if (!closed)
                    throw new IbexException($"{what}: unterminated quoted value for '{key}'; close it with a single quote");
            }
            else
            {
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                        i++;
                    value.Append(s[i++]);
                }
            }
            result[key] = value.ToString();
        }
        return result;
    }

    static Dictionary<string, string> ParseUri(string s, string what)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = s[(s.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var query = q >= 0 ? rest[(q + 1)..] : "";
        if (q >= 0)
            rest = rest[..q];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        if (slash >= 0 && slash + 1 < rest.Length)
            result["dbname"] = Decode(rest[(slash + 1)..], what);
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                result["user"] = Decode(userInfo[..colon], what);
                result["password"] = Decode(userInfo[(colon + 1)..], what);
            }
            else if (userInfo.Length > 0)
                result["user"] = Decode(userInfo, what);
        }
        if (authority.Length > 0)
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
                        throw new IbexException($"{what}: unterminated '[' in IPv6 host '{part}'");
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
                hosts.Add(Decode(h, what));
                ports.Add(p);
            }
            result["host"] = string.Join(',', hosts);
            if (ports.Any(p => p.Length > 0))
                result["port"] = string.Join(',', ports.Select(p => p.Length > 0 ? p : "5432"));
        }
        foreach (var kv in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new IbexException($"{what}: malformed URI parameter '{kv}'; write name=value");
            result[Decode(kv[..eq], what)] = Decode(kv[(eq + 1)..], what);
        }
        return result;
    }

    static string Decode(string s, string what)
    {
        try
        {
            return Uri.UnescapeDataString(s);
        }
        catch (UriFormatException)
        {
            throw new IbexException($"{what}: bad percent-encoding in '{s}'");
        }
    }

    static NpgsqlConnectionStringBuilder Build(Dictionary<string, string> pairs, string what)
    {
        var b = new NpgsqlConnectionStringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (!LibpqToNpgsql.TryGetValue(key, out var npgsqlKey))
                throw new IbexException($"{what}: unknown connection parameter '{key}'; use libpq names such as host, port, dbname, user, password, sslmode");
            if (npgsqlKey.Length == 0)
                continue;
            if (key == "hostaddr" && pairs.ContainsKey("host"))
                continue;
            try
            {
                switch (key)
                {
                    case "sslmode":
                        b.SslMode = value switch
                        {
                            "disable" => SslMode.Disable,
                            "allow" => SslMode.Allow,
                            "prefer" => SslMode.Prefer,
                            "require" => SslMode.Require,
                            "verify-ca" => SslMode.VerifyCA,
                            "verify-full" => SslMode.VerifyFull,
                            _ => throw new IbexException($"{what}: sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                        };
                        break;
                    case "port" when value.Contains(',', StringComparison.Ordinal):
                        // Several hosts with their own ports: Npgsql takes host:port pairs in Host.
                        pairs.TryGetValue("host", out var hostList);
                        var hs = (hostList ?? "").Split(',');
                        var ps = value.Split(',');
                        if (hs.Length == ps.Length)
                            b.Host = string.Join(',', hs.Zip(ps, (h, p) => h + ":" + p));
                        break;
                    case "host" when pairs.TryGetValue("port", out var pl) && pl.Contains(',', StringComparison.Ordinal):
                        break;
                    case "port":
                        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                            throw new IbexException($"{what}: port '{value}' is not a number between 1 and 65535");
                        b.Port = port;
                        break;
                    case "connect_timeout":
                        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var timeout))
                            throw new IbexException($"{what}: connect_timeout '{value}' is not a number of seconds");
                        b.Timeout = Math.Max(timeout, 1);
                        break;
                    default:
                        b[npgsqlKey] = value;
                        break;
                }
            }
            catch (ArgumentException e)
            {
                throw new IbexException($"{what}: bad value for '{key}': {e.Message.Split('\n')[0]}");
            }
        }
        ApplyDefaults(b);
        return b;
    }

    static NpgsqlConnectionStringBuilder ParseNpgsql(string s, string what)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(s);
            ApplyDefaults(b);
            return b;
        }
        catch (ArgumentException e)
        {
            throw new IbexException($"{what} is malformed ({e.Message.Split('\n')[0].TrimEnd('.')}); give a URI like postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'");
        }
    }

    /// <summary>libpq's defaults: PGHOST/PGPORT/PGUSER/PGDATABASE, then the local socket, the OS user, a database named after the user.</summary>
    static void ApplyDefaults(NpgsqlConnectionStringBuilder b)
    {
        if (string.IsNullOrEmpty(b.Host))
        {
            var envHost = Environment.GetEnvironmentVariable("PGHOST");
            b.Host = !string.IsNullOrEmpty(envHost) ? envHost
                : Directory.Exists("/var/run/postgresql") ? "/var/run/postgresql" : "localhost";
        }
        if (!b.ContainsKey("Port") || b.Port == NpgsqlConnection.DefaultPort)
        {
            var envPort = Environment.GetEnvironmentVariable("PGPORT");
            if (!string.IsNullOrEmpty(envPort) && int.TryParse(envPort, CultureInfo.InvariantCulture, out var p))
                b.Port = p;
        }
        if (string.IsNullOrEmpty(b.Username))
            b.Username = Environment.GetEnvironmentVariable("PGUSER") is { Length: > 0 } u ? u : Environment.UserName;
        if (string.IsNullOrEmpty(b.Database))
            b.Database = Environment.GetEnvironmentVariable("PGDATABASE") is { Length: > 0 } d ? d : b.Username;
        if (string.IsNullOrEmpty(b.Password) && Environment.GetEnvironmentVariable("PGPASSWORD") is { Length: > 0 } pw)
            b.Password = pw;
    }
}
