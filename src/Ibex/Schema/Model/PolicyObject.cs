using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A row-level security policy.</summary>
internal sealed record PolicyObject : SchemaObject
{
    public required QualifiedName Table { get; init; }

    public required string Name { get; init; }

    public bool Permissive { get; init; } = true;

    /// <summary>pg_policy.polcmd: * (ALL), r (SELECT), a (INSERT), w (UPDATE), d (DELETE).</summary>
    public char Command { get; init; } = '*';

    /// <summary>Role names, sorted; "" stands for PUBLIC.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    public string? Using { get; init; }

    public string? WithCheck { get; init; }

    public override string Key => Keys.Policy(Table, Name);

    public override ObjectKind Kind => ObjectKind.Policy;

    public override string Display => "policy " + DisplayName.Part(Name) + " on " + Table.Display;

    public override string Schema => Table.Schema;

    public override string ParentKey => Keys.Table(Table);

    public override string Definition => string.Join("\n", Permissive ? "permissive" : "restrictive", Command.ToString(), RolesSql, Using ?? "", WithCheck ?? "");

    /// <summary>The TO list of CREATE POLICY.</summary>
    public string RolesSql => Roles.Count == 0 ? "PUBLIC" : string.Join(", ", Roles.Select(r => r.Length == 0 ? "PUBLIC" : Ident.Quote(r)));

    public override string CommentTarget => "POLICY " + Ident.Quote(Name) + " ON " + Table.Quoted;
}
