using System.Globalization;
using System.Text.RegularExpressions;

namespace Ibex.Catalog;

/// <summary>
/// A column type as <c>format_type</c> prints it, taken apart: the element type's text, its name without modifiers
/// (<c>timestamp(3) with time zone</c> → <c>timestamp with time zone</c>), the modifiers, and whether it is an array.
/// A quoted (user-defined) name is never taken apart.
/// </summary>
internal sealed partial record FormattedType(string Text, string Base, IReadOnlyList<int> Modifiers, bool Array, bool Quoted)
{
    [GeneratedRegex(@"\((\d+)(?:,(\d+))?\)")]
    private static partial Regex Modifier();

    /// <summary>text, or varchar without a length: takes any value's text form.</summary>
    public bool IsUnboundedText => !Quoted && Modifiers.Count == 0 && Base is "text" or "character varying";

    public static FormattedType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var array = text.EndsWith("[]", StringComparison.Ordinal);
        var element = array ? text[..^2] : text;
        if (element.Contains('"', StringComparison.Ordinal))
            return new FormattedType(element, element, [], array, true);
        var m = Modifier().Match(element);
        if (!m.Success)
            return new FormattedType(element, element, [], array, false);
        List<int> modifiers = [int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)];
        if (m.Groups[2].Success)
            modifiers.Add(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        return new FormattedType(element, (element[..m.Index] + element[(m.Index + m.Length)..]).Trim(), modifiers, array, false);
    }
}
