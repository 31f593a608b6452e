namespace Ibex.Import;

/// <summary>An <c>ibex node add</c> derived from a Bucardo database.</summary>
public sealed record ImportNode(string Name, string Dsn, string DisplayDsn)
{
    /// <summary>The DSN holds the password stored in Bucardo's catalog (printed as <see cref="ImportPlan.PasswordPlaceholder"/>).</summary>
    public bool HasPassword { get; init; }

    /// <summary>Why this node cannot be created as it is (the fix included); null when it can.</summary>
    public string? Problem { get; init; }

    public IReadOnlyList<string> Command(bool redact) => ["node", "add", Name, "--dsn", redact ? DisplayDsn : Dsn];
}
