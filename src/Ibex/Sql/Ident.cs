using System.Text;

namespace Ibex.Sql;

/// <summary>
/// The one place where SQL identifiers and literals are quoted. Values are sent as parameters or
/// through COPY; <see cref="Literal"/> exists only for the few statements PostgreSQL cannot parameterize
/// (DDL, SET TRANSACTION SNAPSHOT, publication row filters).
/// </summary>
public static class Ident
{
    /// <summary>Quotes one identifier: <c>Order Items</c> becomes <c>"Order Items"</c>, <c>a"b</c> becomes <c>"a""b"</c>.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Length == 0)
            throw new ArgumentException("An SQL identifier cannot be empty.", nameof(identifier));
        if (identifier.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("An SQL identifier cannot contain a NUL character.", nameof(identifier));
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Quotes a schema-qualified name: <c>"Sales"."Order Items"</c>.</summary>
    public static string Quote(string schema, string name) => Quote(schema) + "." + Quote(name);

    /// <summary>Quotes a list of identifiers and joins them with commas.</summary>
    public static string QuoteList(IEnumerable<string> identifiers) => string.Join(", ", identifiers.Select(Quote));

    /// <summary>A standard-conforming string literal: <c>it's</c> becomes <c>'it''s'</c>.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("An SQL literal cannot contain a NUL character.", nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// Turns a user-facing name (a sync or node name) into a fragment usable in slot names, which allow
    /// only lower-case letters, digits and underscores.
    /// </summary>
    public static string SlotFragment(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_');
        return sb.ToString();
    }
}
