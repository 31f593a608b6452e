namespace Ibex.Sql;

/// <summary>A schema-qualified relation name, as stored in the catalog (not quoted).</summary>
public readonly record struct QualifiedName(string Schema, string Name) : IComparable<QualifiedName>
{
    /// <summary>The name quoted for use in SQL text.</summary>
    public string Quoted => Ident.Quote(Schema, Name);

    /// <summary>The name as an operator reads it: quoted only where needed.</summary>
    public string Display => DisplayPart(Schema) + "." + DisplayPart(Name);

    public override string ToString() => Display;

    public int CompareTo(QualifiedName other)
    {
        var c = string.CompareOrdinal(Schema, other.Schema);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    static string DisplayPart(string part)
    {
        var plain = part.Length > 0 && (char.IsAsciiLetterLower(part[0]) || part[0] == '_')
            && part.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        return plain ? part : Ident.Quote(part);
    }

    public static bool operator <(QualifiedName left, QualifiedName right) => left.CompareTo(right) < 0;
    public static bool operator >(QualifiedName left, QualifiedName right) => left.CompareTo(right) > 0;
    public static bool operator <=(QualifiedName left, QualifiedName right) => left.CompareTo(right) <= 0;
    public static bool operator >=(QualifiedName left, QualifiedName right) => left.CompareTo(right) >= 0;
}
