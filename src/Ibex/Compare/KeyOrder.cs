using System.Globalization;

namespace Ibex.Compare;

/// <summary>A readable order for reported keys: numbers by value, everything else by ordinal text.</summary>
public static class KeyOrder
{
    public static int Compare(RowKey? a, RowKey? b)
    {
        if (ReferenceEquals(a, b))
            return 0;
        if (a is null)
            return -1;
        if (b is null)
            return 1;
        for (var i = 0; i < Math.Min(a.Values.Count, b.Values.Count); i++)
        {
            var x = a.Values[i];
            var y = b.Values[i];
            var c = decimal.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var dx) && decimal.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var dy)
                ? dx.CompareTo(dy)
                : string.CompareOrdinal(x, y);
            if (c != 0)
                return c;
        }
        return a.Values.Count.CompareTo(b.Values.Count);
    }
}
