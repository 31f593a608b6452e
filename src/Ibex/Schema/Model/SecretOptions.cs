namespace Ibex.Schema.Model;

/// <summary>User mapping options whose values are secrets: never printed, only named.</summary>
internal static class SecretOptions
{
    public static bool IsSecret(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        var name = option.Split('=', 2)[0];
        return name.Contains("password", StringComparison.OrdinalIgnoreCase) || name is "passfile" or "sslkey" or "sslpassword";
    }
}
