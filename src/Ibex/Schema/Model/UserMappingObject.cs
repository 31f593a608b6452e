using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>
/// A user mapping (CREATE USER MAPPING). Secret options (passwords, key files) are never read into the model:
/// only that they are set, so a script never carries them (see <see cref="SecretOptions"/>).
/// </summary>
/// <param name="User">The role, or null for PUBLIC.</param>
/// <param name="Options">The options that are not secret (<c>name=value</c>).</param>
/// <param name="Secrets">Names of the secret options that are set.</param>
internal sealed record UserMappingObject(string? User, string Server, IReadOnlyList<string> Options, IReadOnlyList<string> Secrets) : SchemaObject
{
    public string UserSql => User is null ? "PUBLIC" : Ident.Quote(User);

    public override string Key => "user mapping for " + UserSql + " server " + Ident.Quote(Server);

    public override ObjectKind Kind => ObjectKind.UserMapping;

    public override string Display => "user mapping for " + (User ?? "PUBLIC") + " on server " + DisplayName.Part(Server);

    public override string Definition => string.Join(",", Options) + "\n" + string.Join(",", Secrets);
}
