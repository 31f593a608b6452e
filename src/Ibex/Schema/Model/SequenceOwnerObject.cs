using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>ALTER SEQUENCE … OWNED BY: the column whose drop also drops the sequence.</summary>
internal sealed record SequenceOwnerObject(QualifiedName Sequence, QualifiedName Table, string Column) : SchemaObject
{
    public override string Key => "owner of " + Keys.Sequence(Sequence);

    public override ObjectKind Kind => ObjectKind.SequenceOwner;

    public override string Display => "ownership of sequence " + Sequence.Display;

    public override string Schema => Sequence.Schema;

    public override string ParentKey => Keys.Sequence(Sequence);

    public string ColumnKey => Keys.Column(Table, Column);

    public override string Definition => Table.Quoted + "." + Ident.Quote(Column);
}
