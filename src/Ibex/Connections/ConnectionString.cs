using System.Data.Common;
using System.Globalization;
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
    /// <remarks>Errors name keys, never any part of a value: a malformed string may hold a password.</remarks>
    public static NpgsqlConnectionStringBuilder Parse(string text, string what = "connection string")
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new IbexException($"{what} is empty; give a URI like postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'");
        if (LibpqUri.IsUri(trimmed))
            return Build(LibpqUri.Parse(trimmed, what), what);
        if (!LibpqToNpgsql.ContainsKey(LibpqKeyValue.FirstKey(trimmed)))
            return ParseNpgsql(trimmed, what);
        // libpq key=value. An unquoted ';' is part of a libpq value, but 'host=h;port=5432' (a ';' in the first value,
        // before any second pair) is meant as Npgsql's syntax: such a string that is valid as that is read as that.
        List<ConnectionParameter> pairs;
        try
        {
            pairs = LibpqKeyValue.Parse(trimmed, what);
        }
        catch (IbexException) when (trimmed.Contains(';', StringComparison.Ordinal) && TryNpgsql(trimmed, what, out var npgsql, out _))
        {
            return npgsql;
        }
        if (pairs[0] is { Open: true } first && first.Value.Contains(';', StringComparison.Ordinal) && TryNpgsql(trimmed, what, out var asNpgsql, out _))
            return asNpgsql;
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

    /// <summary>A description of parsed settings without the password; with sslmode unless it is the default (prefer).</summary>
    public static string Describe(NpgsqlConnectionStringBuilder b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var host = b.Host ?? "";
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
            host = "[" + host + "]";
        var ssl = b.SslMode == SslMode.Prefer ? "" : "?sslmode=" + SslModeName(b.SslMode);
        return $"postgresql://{b.Username}@{host}:{b.Port}/{b.Database}{ssl}";
    }

    static readonly SslMode[] SslModes = [SslMode.Disable, SslMode.Allow, SslMode.Prefer, SslMode.Require, SslMode.VerifyCA, SslMode.VerifyFull];

    /// <summary>libpq's name of an sslmode: disable, allow, prefer, require, verify-ca, verify-full.</summary>
    public static string SslModeName(SslMode mode) => mode switch
    {
        SslMode.VerifyCA => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => mode.ToString().ToLowerInvariant(),
    };

    static NpgsqlConnectionStringBuilder Build(List<ConnectionParameter> parameters, string what)
    {
        for (var i = 0; i < parameters.Count; i++)
            if (!LibpqToNpgsql.ContainsKey(parameters[i].Key))
                throw new IbexException($"{what}: unknown connection parameter {UnknownKey(parameters, i)}; use libpq names such as host, port, dbname, user, password, sslmode");
        // Later pairs win, as in libpq.
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in parameters)
            pairs[p.Key] = p.Value;
        var b = new NpgsqlConnectionStringBuilder();
        foreach (var (key, value) in pairs)
        {
            var npgsqlKey = LibpqToNpgsql[key];
            if (npgsqlKey.Length == 0)
                continue;
            if (key == "hostaddr" && pairs.ContainsKey("host"))
                continue;
            try
            {
                switch (key)
                {
                    case "sslmode":
                        b.SslMode = SslModes.Where(m => SslModeName(m) == value).Select(m => (SslMode?)m).FirstOrDefault()
                            ?? throw new IbexException($"{what}: sslmode is not one of {string.Join(", ", SslModes.Select(SslModeName))}");
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
                            throw new IbexException($"{what}: port is not a number between 1 and 65535");
                        b.Port = port;
                        break;
                    case "connect_timeout":
                        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var timeout))
                            throw new IbexException($"{what}: connect_timeout is not a number of seconds");
                        b.Timeout = Math.Max(timeout, 1);
                        break;
                    default:
                        b[npgsqlKey] = value;
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                throw new IbexException($"{what}: bad value for '{key}'");
            }
        }
        ApplyDefaults(b);
        return b;
    }

    /// <summary>An unknown key, named unless it directly follows an open-ended secret (then it may be the secret's tail).</summary>
    static string UnknownKey(List<ConnectionParameter> parameters, int index)
        => index > 0 && parameters[index - 1] is { IsSecret: true, Open: true } secret
            ? $"after the value of '{secret.Key}' (quote a value that holds spaces or ';': password='a b;c')"
            : $"'{parameters[index].Key}'";

    static NpgsqlConnectionStringBuilder ParseNpgsql(string s, string what)
        => TryNpgsql(s, what, out var b, out var error) ? b : throw new IbexException(error);

    /// <summary>Npgsql's own <c>Key=Value;...</c> syntax, key by key so that an error names the key, not the value.</summary>
    static bool TryNpgsql(string s, string what, out NpgsqlConnectionStringBuilder builder, out string error)
    {
        builder = new NpgsqlConnectionStringBuilder();
        error = "";
        var generic = new DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = s;
        }
        catch (ArgumentException)
        {
            error = $"{what} is malformed; give a URI like postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'";
            return false;
        }
        var parameters = generic.Keys.Cast<string>().Select(k => new ConnectionParameter(k, "", Open: true)).ToList();
        for (var i = 0; i < parameters.Count; i++)
        {
            var key = parameters[i].Key;
            try
            {
                builder[key] = generic[key];
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                error = $"{what} is malformed: unknown parameter or bad value {UnknownKey(parameters, i)}; give a URI like postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'";
                return false;
            }
        }
        ApplyDefaults(builder);
        return true;
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
