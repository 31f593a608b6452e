using System.Globalization;
using System.Text.RegularExpressions;

namespace Ibex.Schema.Diffing;

/// <summary>What changing a column's type costs.</summary>
internal enum TypeChangeKind
{
    /// <summary>Binary compatible: only the catalog changes.</summary>
    NoRewrite,

    /// <summary>Every value fits the new type, but the table is rewritten under an ACCESS EXCLUSIVE lock.</summary>
    Rewrite,

    /// <summary>Values may not fit (narrowing, or a conversion PostgreSQL may refuse): data can be lost or the change can fail.</summary>
    Narrowing,
}

/// <summary>Classifies a column type change by the <c>format_type</c> texts of the old and new type.</summary>
internal static partial class TypeChange
{
    static readonly string[] IntegerWidths = ["smallint", "integer", "bigint"];

    [GeneratedRegex(@"^(?<base>[a-z ]+?)(\((?<mod>[0-9, ]+)\))?(?<tail>( with(out)? time zone)?)$")]
    private static partial Regex Shape();

    public static TypeChangeKind Classify(string oldType, string newType)
    {
        ArgumentNullException.ThrowIfNull(oldType);
        ArgumentNullException.ThrowIfNull(newType);
        if (oldType == newType)
            return TypeChangeKind.NoRewrite;
        var o = Shape().Match(oldType);
        var n = Shape().Match(newType);
        if (!o.Success || !n.Success)
            return TypeChangeKind.Narrowing;
        var ob = o.Groups["base"].Value + o.Groups["tail"].Value;
        var nb = n.Groups["base"].Value + n.Groups["tail"].Value;
        var om = Mods(o.Groups["mod"].Value);
        var nm = Mods(n.Groups["mod"].Value);
        if (ob == nb && ob is "character varying" or "bit varying" or "numeric")
            return Widens(om, nm) ? TypeChangeKind.NoRewrite : TypeChangeKind.Narrowing;
        if (ob is "character varying" or "text" && nb == "text")
            return TypeChangeKind.NoRewrite;
        if (ob == "text" && nb == "character varying" && nm.Length == 0)
            return TypeChangeKind.NoRewrite;
        if (ob == nb && ob.StartsWith("time", StringComparison.Ordinal))
            return Widens(om, nm) ? TypeChangeKind.NoRewrite : TypeChangeKind.Narrowing;
        var oi = Array.IndexOf(IntegerWidths, ob);
        var ni = Array.IndexOf(IntegerWidths, nb);
        if (oi >= 0 && (ni > oi || (nb == "numeric" && nm.Length == 0)))
            return TypeChangeKind.Rewrite;
        if (ob == "real" && nb == "double precision")
            return TypeChangeKind.Rewrite;
        if (ob is "character" or "character varying" && nb == "text")
            return TypeChangeKind.Rewrite;
        return TypeChangeKind.Narrowing;
    }

    static int[] Mods(string mod) => mod.Length == 0 ? [] : [.. mod.Split(',').Select(m => int.Parse(m.Trim(), CultureInfo.InvariantCulture))];

    /// <summary>True when the new modifier admits every value of the old one (no modifier means unlimited).</summary>
    static bool Widens(int[] old, int[] wanted)
    {
        if (wanted.Length == 0)
            return true;
        if (old.Length == 0)
            return false;
        if (old.Length == 2 && wanted.Length == 2)
            return old[1] == wanted[1] && wanted[0] >= old[0];
        return old.Length == wanted.Length && wanted[0] >= old[0];
    }
}
