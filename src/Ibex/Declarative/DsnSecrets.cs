using System.Text;
using Ibex.Connections;

namespace Ibex.Declarative;

/// <summary>
/// Keeps secrets out of configuration files: a node's connection string is written without its password (and
/// sslpassword), each replaced by a reference to an environment variable, and put back together when applied.
/// </summary>
public static class DsnSecrets
{
    /// <summary>The secret keys a file may reference, in the order they are written.</summary>
    public static readonly IReadOnlyList<string> Keys = ["password", "sslpassword"];

    /// <summary>The variable an export names for a node's secret: <c>IBEX_PASSWORD_&lt;NODE&gt;</c>.</summary>
    public static string Variable(string key, string node)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(node);
        var suffix = new string([.. node.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return $"IBEX_{key.ToUpperInvariant()}_{suffix}";
    }

    /// <summary>The connection string without secrets, and the secret keys it held. Unchanged when it holds none.</summary>
    public static (string Dsn, IReadOnlyList<string> Secrets) Strip(string dsn, string node)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        var parameters = Libpq(dsn, $"node '{node}'");
        if (parameters is null)
        {
            if (ConnectionString.Parse(dsn, $"node '{node}'") is { Password: not null } or { SslPassword: not null })
                throw new IbexException($"node '{node}': its connection string holds a password in Npgsql syntax (Key=Value;...), which export cannot separate; re-add the node with a libpq URI or key=value string");
            return (dsn, []);
        }
        var secrets = parameters.Where(p => p.IsSecret).Select(p => p.Key.ToLowerInvariant()).Distinct().ToList();
        if (secrets.Count == 0)
            return (dsn, []);
        if (secrets.FirstOrDefault(s => !Keys.Contains(s)) is { } odd)
            throw new IbexException($"node '{node}': connection parameter '{odd}' holds a secret export cannot reference; use password or a passfile");
        return (KeyValueText(parameters.Where(p => !p.IsSecret)), secrets);
    }

    /// <summary>The connection string with the given secrets added (as libpq key=value text).</summary>
    public static string Join(string dsn, IReadOnlyList<(string Key, string Value)> secrets, string what)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
            return dsn;
        RequireNone(dsn, what);
        var parameters = Libpq(dsn, what)
            ?? throw new IbexException($"{what}: a password reference needs the dsn as a libpq URI or key=value string, not Npgsql syntax");
        return KeyValueText(parameters.Concat(secrets.Select(s => new ConnectionParameter(s.Key, s.Value, Open: false))));
    }

    /// <summary>Refuses a connection string that holds a secret itself: a file names variables, never secrets.</summary>
    public static void RequireNone(string dsn, string what)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        var secret = Libpq(dsn, what) is { } parameters
            ? parameters.Where(p => p.IsSecret).Select(p => p.Key).FirstOrDefault()
            : ConnectionString.Parse(dsn, what) is { Password: not null } ? "password" : null;
        if (secret is not null)
            throw new IbexException($"{what}: the dsn holds '{secret}' itself; keep secrets out of the file and write {secret}: ${{VARIABLE}} instead");
    }

    static List<ConnectionParameter>? Libpq(string dsn, string what)
    {
        var trimmed = dsn.Trim();
        if (LibpqUri.IsUri(trimmed))
            return LibpqUri.Parse(trimmed, what);
        if (!trimmed.Contains('=', StringComparison.Ordinal) || trimmed.Contains(';', StringComparison.Ordinal) && !trimmed.Contains(' ', StringComparison.Ordinal))
            return null;
        try
        {
            return LibpqKeyValue.Parse(trimmed, what);
        }
        catch (IbexException)
        {
            return null;
        }
    }

    static string KeyValueText(IEnumerable<ConnectionParameter> parameters)
        => string.Join(' ', parameters.Select(p => p.Key + "=" + Quote(p.Value)));

    static string Quote(string value)
    {
        if (value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c is not '\'' and not '\\'))
            return value;
        var sb = new StringBuilder("'");
        foreach (var c in value)
        {
            if (c is '\'' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('\'').ToString();
    }
}
