using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A table's REPLICA IDENTITY when it is not DEFAULT: FULL, NOTHING or USING INDEX.</summary>
internal sealed record ReplicaIdentityObject(QualifiedName Table, char Mode, string? IndexName) : SchemaObject
{
    public override string Key => "replica identity of " + Keys.Table(Table);

    public override ObjectKind Kind => ObjectKind.ReplicaIdentity;

    public override string Display => "replica identity of " + Table.Display;

    public override string Schema => Table.Schema;

    public override string ParentKey => Keys.Table(Table);

    public override string Definition => Mode + " " + IndexName;

    /// <summary>The clause after REPLICA IDENTITY.</summary>
    public string Clause => Mode switch
    {
        'f' => "FULL",
        'n' => "NOTHING",
        'i' => "USING INDEX " + Ident.Quote(IndexName ?? throw new InvalidOperationException("replica identity index without a name")),
        _ => "DEFAULT",
    };
}
