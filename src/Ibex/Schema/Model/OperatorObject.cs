using Ibex.Sql;

namespace Ibex.Schema.Model;

/// <summary>A user-defined operator (CREATE OPERATOR). Operator names are symbols: only the schema is quoted.</summary>
internal sealed record OperatorObject : SchemaObject
{
    public required string SchemaName { get; init; }

    /// <summary>The operator symbol, e.g. <c>===</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The left operand type, or null for a prefix operator.</summary>
    public string? Left { get; init; }

    public required string Right { get; init; }

    public required QualifiedName Function { get; init; }

    /// <summary>COMMUTATOR and NEGATOR as <c>OPERATOR("s".op)</c>, or null.</summary>
    public string? Commutator { get; init; }

    public string? Negator { get; init; }

    public QualifiedName? Restrict { get; init; }

    public QualifiedName? Join { get; init; }

    public bool Hashes { get; init; }

    public bool Merges { get; init; }

    /// <summary>The operator as DROP and COMMENT name it: <c>"s".op (left, right)</c>.</summary>
    public string Signature => Ident.Quote(SchemaName) + "." + Name + " (" + (Left ?? "NONE") + ", " + Right + ")";

    public override string Key => "operator " + Signature;

    public override ObjectKind Kind => ObjectKind.Operator;

    public override string Display => "operator " + DisplayName.Part(SchemaName) + "." + Name + "(" + (Left ?? "NONE") + ", " + Right + ")";

    public override string Schema => SchemaName;

    /// <summary>The options inside CREATE OPERATOR's parentheses.</summary>
    public IReadOnlyList<string> Options
    {
        get
        {
            var options = new List<string> { "FUNCTION = " + Function.Quoted };
            if (Left is { } left)
                options.Add("LEFTARG = " + left);
            options.Add("RIGHTARG = " + Right);
            if (Commutator is { } commutator)
                options.Add("COMMUTATOR = " + commutator);
            if (Negator is { } negator)
                options.Add("NEGATOR = " + negator);
            if (Restrict is { } restrict)
                options.Add("RESTRICT = " + restrict.Quoted);
            if (Join is { } join)
                options.Add("JOIN = " + join.Quoted);
            if (Hashes)
                options.Add("HASHES");
            if (Merges)
                options.Add("MERGES");
            return options;
        }
    }

    public override string Definition => string.Join(", ", Options);

    public override string CommentTarget => "OPERATOR " + Signature;
}
