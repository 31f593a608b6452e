namespace Ibex.Schema.Model;

/// <summary>
/// What a grantee may do on a new object before any GRANT: PUBLIC may execute functions and use types. Privilege
/// objects exist only where an object's grants differ from these.
/// </summary>
internal static class DefaultPrivileges
{
    public static IReadOnlyList<string> For(string privilegeTarget, string? grantee)
    {
        ArgumentNullException.ThrowIfNull(privilegeTarget);
        if (grantee is not null)
            return [];
        if (privilegeTarget.StartsWith("FUNCTION ", StringComparison.Ordinal) || privilegeTarget.StartsWith("PROCEDURE ", StringComparison.Ordinal))
            return ["EXECUTE"];
        if (privilegeTarget.StartsWith("TYPE ", StringComparison.Ordinal) || privilegeTarget.StartsWith("DOMAIN ", StringComparison.Ordinal))
            return ["USAGE"];
        return [];
    }
}
