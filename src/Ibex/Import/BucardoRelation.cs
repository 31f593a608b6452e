namespace Ibex.Import;

/// <summary>One row of Bucardo's <c>bucardo.goat</c>: a table or sequence, with its per-relation overrides.</summary>
public sealed record BucardoRelation(int Id, string Schema, string Name, string Kind)
{
    public bool IsSequence => Kind == "sequence";

    /// <summary>The name as an Ibex table pattern matching exactly this relation (quoted where needed).</summary>
    public string Pattern => PatternPart(Schema) + "." + PatternPart(Name);

    public string Display => Schema + "." + Name;

    /// <summary>Per-table conflict strategy (overrides the sync's).</summary>
    public string? ConflictStrategy { get; init; }

    /// <summary>Per-table makedelta (on, off, or a list of databases).</summary>
    public string? MakeDelta { get; init; }

    /// <summary>Per-table autokick override.</summary>
    public bool? Autokick { get; init; }

    /// <summary>Per-table rebuild_index override.</summary>
    public int? RebuildIndex { get; init; }

    /// <summary>Ghost tables only have their triggers dropped; Bucardo does not replicate them.</summary>
    public bool Ghost { get; init; }

    public bool DeltaBypass { get; init; }

    public bool StrictChecking { get; init; } = true;

    public bool AnalyzeAfterCopy { get; init; } = true;

    public bool VacuumAfterCopy { get; init; } = true;

    /// <summary>Unquoted when it reads the same folded to lower case, otherwise double-quoted.</summary>
    internal static string PatternPart(string part)
    {
        var plain = part.Length > 0 && (char.IsAsciiLetterLower(part[0]) || part[0] == '_')
            && part.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '$');
        return plain ? part : "\"" + part.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
