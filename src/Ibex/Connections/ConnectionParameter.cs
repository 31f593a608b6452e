namespace Ibex.Connections;

/// <summary>
/// One <c>key=value</c> of a connection string as written. <paramref name="Open"/> is true when the value's end was
/// not marked (an unquoted libpq value, a URI query value, an Npgsql value): the text after it might be the rest of
/// the value cut off at a space, <c>&amp;</c> or <c>;</c>, so an error about that text must not repeat it after a secret.
/// </summary>
public readonly record struct ConnectionParameter(string Key, string Value, bool Open)
{
    /// <summary>True for the keys whose values are secrets (password, sslpassword, in libpq and Npgsql spelling).</summary>
    public bool IsSecret => IsSecretKey(Key);

    public static bool IsSecretKey(string key)
        => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() is "password" or "sslpassword" or "pwd";
}
