using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>What one grantee may do on one object: privilege names, with <c>*</c> appended when grantable.</summary>
internal sealed record PrivilegeObject(string TargetKey, string TargetDisplay, string Target, string? Grantee, IReadOnlyList<string> Privileges) : SchemaObject
{
    public const string KeyPrefix = "grant on ";

    public override string Key => KeyPrefix + Target + " to " + GranteeSql;

    public override ObjectKind Kind => ObjectKind.Privilege;

    public override string Display => "privileges of " + (Grantee ?? "PUBLIC") + " on " + TargetDisplay;

    public override string ParentKey => TargetKey;

    public override string Definition => string.Join(",", Privileges);

    /// <summary>The grantee as GRANT and REVOKE spell it.</summary>
    public string GranteeSql => Grantee is null ? "PUBLIC" : Ident.Quote(Grantee);
}
