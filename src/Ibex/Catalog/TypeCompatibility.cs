namespace Ibex.Catalog;

/// <summary>
/// Whether a target column can take a source column's values. Replication writes values in their text form, so a
/// target type that accepts every value of the source type unchanged is as good as the same type (varchar into text,
/// integer into bigint, varchar(10) into varchar(20), numeric(10,2) into numeric(12,4)). Only pairs that could
/// reject, round, truncate or reinterpret a value are refused, with the reason. Types are compared as
/// <c>format_type</c> prints them (schema-qualified for user types, which only match themselves or text).
/// </summary>
public static class TypeCompatibility
{
    // Integer types: the decimal digits their values can have.
    static readonly Dictionary<string, int> IntegerDigits = new(StringComparer.Ordinal) { ["smallint"] = 5, ["integer"] = 10, ["bigint"] = 19 };

    // Types with a fractional-seconds precision (6 digits when unconstrained).
    static readonly HashSet<string> Times = ["timestamp without time zone", "timestamp with time zone", "time without time zone", "time with time zone", "interval"];

    /// <summary>Null when a <paramref name="target"/> column takes every <paramref name="source"/> value unchanged; else why not.</summary>
    public static string? Refusal(string source, string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source == target)
            return null;
        var s = FormattedType.Parse(source);
        var t = FormattedType.Parse(target);
        // Anything's text form fits an unbounded text column, an array's too.
        if (!t.Array && t.IsUnboundedText)
            return null;
        if (s.Array != t.Array)
            return s.Array ? $"an array does not fit a non-array {t.Text} column" : $"a {s.Text} value is not an array";
        return Scalar(s, t);
    }

    static string? Scalar(FormattedType s, FormattedType t)
    {
        var notEvery = $"not every {s.Text} value fits a {t.Text} column";
        if (s.Text == t.Text || t.IsUnboundedText)
            return null;
        if (s.Quoted || t.Quoted)
            return notEvery;
        if (IntegerDigits.TryGetValue(s.Base, out var digits))
            return FromInteger(s, t, digits, notEvery);
        return (s.Base, t.Base) switch
        {
            ("numeric", "numeric") => Numeric(s, t),
            ("numeric", "real" or "double precision") => $"{t.Text} would round {s.Text} values",
            ("real", "double precision") => null,
            ("real" or "double precision", "numeric") => t.Modifiers.Count == 0 ? null : $"{t.Text} would round or reject {s.Text} values",
            ("double precision", "real") => $"{t.Text} would round {s.Text} values to 6 digits",
            ("character varying" or "character" or "text", "character varying") => Length(s, t),
            ("character", "character") => Length(s, t),
            (_, "character") when s.Base is "character varying" or "text" => $"{t.Text} pads values with spaces and ignores trailing spaces, which {s.Text} keeps",
            ("timestamp with time zone", "timestamp without time zone") => $"{t.Text} would drop the time zone offset of {s.Text} values (the instant would change)",
            ("timestamp without time zone", "timestamp with time zone") => $"{s.Text} values would be read in the apply session's time zone by a {t.Text} column",
            ("date", "timestamp without time zone") => null,
            var (a, b) when a == b && Times.Contains(a) => Precision(s, t),
            (var a, "interval") when a.StartsWith("interval ", StringComparison.Ordinal) => Precision(s, t),
            ("bit" or "bit varying", "bit varying") => Length(s, t),
            ("cidr", "inet") => null,
            ("jsonb", "json") => null,
            ("json", "jsonb") => $"{t.Text} drops duplicate keys and the formatting of {s.Text} values",
            _ => notEvery,
        };
    }

    static string? FromInteger(FormattedType s, FormattedType t, int digits, string notEvery) => t.Base switch
    {
        "smallint" or "integer" or "bigint" => IntegerDigits[t.Base] >= digits ? null : $"{s.Text} values may not fit {t.Text}",
        "numeric" => t.Modifiers.Count == 0 || t.Modifiers[0] - Scale(t) >= digits ? null : $"{s.Text} values may not fit {t.Text}",
        "real" => digits <= 5 ? null : $"{t.Text} would round large {s.Text} values",
        "double precision" => digits <= 10 ? null : $"{t.Text} would round large {s.Text} values",
        _ => notEvery,
    };

    static string? Numeric(FormattedType s, FormattedType t)
    {
        if (t.Modifiers.Count == 0)
            return null;
        if (s.Modifiers.Count == 0)
            return $"{t.Text} would round or reject unconstrained {s.Text} values";
        if (Scale(t) < Scale(s))
            return $"{t.Text} would round {s.Text} values to {Scale(t)} decimal(s)";
        if (t.Modifiers[0] - Scale(t) < s.Modifiers[0] - Scale(s))
            return $"{t.Text} holds fewer integer digits than {s.Text} values can have";
        return null;
    }

    static int Scale(FormattedType t) => t.Modifiers.Count > 1 ? t.Modifiers[1] : 0;

    // Character and bit strings: an unbounded target takes anything; a bounded one needs a bounded source no longer.
    static string? Length(FormattedType s, FormattedType t)
    {
        if (t.Modifiers.Count == 0)
            return null;
        if (s.Modifiers.Count == 0 || s.Modifiers[0] > t.Modifiers[0])
            return $"{s.Text} values may be longer than {t.Modifiers[0]}, which a {t.Text} column refuses";
        return null;
    }

    // Fractional seconds: an unconstrained time type keeps 6 digits.
    static string? Precision(FormattedType s, FormattedType t)
    {
        var from = s.Modifiers.Count > 0 ? s.Modifiers[0] : 6;
        var to = t.Modifiers.Count > 0 ? t.Modifiers[0] : 6;
        return to >= from ? null : $"{t.Text} would round the fractional seconds of {s.Text} values";
    }
}
