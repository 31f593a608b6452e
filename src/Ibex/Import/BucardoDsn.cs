using System.Text;
using Ibex.Connections;

namespace Ibex.Import;

/// <summary>
/// Turns a <c>bucardo.db</c> row into a libpq key=value connection string the way Bucardo builds its DBI DSN:
/// <c>dbdsn</c> when set, otherwise dbname, port, host and the extra <c>dbconn</c> parameters; dbuser and dbpass on top.
/// </summary>
public static class BucardoDsn
{
    /// <summary>The connection string, the same with the password replaced, whether it holds one, and why it cannot be used (or null).</summary>
    public static (string Dsn, string Display, bool HasPassword, string? Problem) Build(BucardoDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var pairs = new List<(string Key, string Value)>();
        if (db.Dsn is { Length: > 0 } dbi)
        {
            var body = dbi.StartsWith("dbi:Pg:", StringComparison.OrdinalIgnoreCase) ? dbi["dbi:Pg:".Length..] : dbi;
            pairs.AddRange(Split(body).Select(p => p.Key is "database" or "db" ? ("dbname", p.Value) : p));
        }
        else
        {
            Add(pairs, "host", db.Host);
            Add(pairs, "port", db.Port);
            Add(pairs, "dbname", db.DbName);
            if (db.Conn is { Length: > 0 } extra)
                pairs.AddRange(Split(extra));
        }
        if (db.Service is { Length: > 0 } || pairs.Any(p => p.Key == "service"))
        {
            var service = db.Service is { Length: > 0 } s ? s : pairs.First(p => p.Key == "service").Value;
            return ("", $"service={service}", false,
                $"Bucardo connects through pg_service.conf service '{service}', which Ibex does not read; add the node by hand with host, port and dbname ('ibex node add {db.Name} --dsn ...') and import again");
        }
        if (!pairs.Any(p => p.Key == "user"))
            Add(pairs, "user", db.User);
        if (db.PassFile is { Length: > 0 } passfile)
            Add(pairs, "passfile", passfile);
        var hasPassword = db.Password is { Length: > 0 } || pairs.Any(p => p.Key == "password");
        if (db.Password is { Length: > 0 } password && !pairs.Any(p => p.Key == "password"))
            Add(pairs, "password", password);
        var dsn = Join(pairs, redact: false);
        var display = Join(pairs, redact: true);
        try
        {
            ConnectionString.Parse(dsn, $"node '{db.Name}'");
            return (dsn, display, hasPassword, null);
        }
        catch (IbexException e)
        {
            return (dsn, display, hasPassword, $"its connection settings in bucardo.db cannot be used ({e.Message}); fix them with 'bucardo update db {db.Name} ...' or add the node by hand");
        }
    }

    static void Add(List<(string, string)> pairs, string key, string? value)
    {
        if (value is { Length: > 0 })
            pairs.Add((key, value));
    }

    /// <summary>DBI-style parameters: key=value separated by ';' or white space.</summary>
    static IEnumerable<(string Key, string Value)> Split(string text)
    {
        foreach (var part in text.Split([';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                yield return (part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..].Trim());
            else
                yield return (part, "");
        }
    }

    static string Join(List<(string Key, string Value)> pairs, bool redact)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (sb.Length > 0)
                sb.Append(' ');
            sb.Append(key).Append('=').Append(redact && key == "password" ? ImportPlan.PasswordPlaceholder : Value(value));
        }
        return sb.ToString();
    }

    /// <summary>A libpq value: bare when it has no white space, quote or backslash, otherwise single-quoted with escapes.</summary>
    static string Value(string v)
    {
        if (v.Length > 0 && !v.Any(c => char.IsWhiteSpace(c) || c is '\'' or '\\'))
            return v;
        return "'" + v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }
}
