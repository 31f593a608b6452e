using System.Globalization;

namespace Ibex.Copy;

/// <summary>Orders key values (in PostgreSQL's text form) as PostgreSQL orders them, for the kinds of key ranges there are.</summary>
public static class RangeKeyOrder
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/>.</summary>
    public static int Compare(RangeKind kind, string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return kind switch
        {
            RangeKind.Integer => long.Parse(a, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                .CompareTo(long.Parse(b, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            // PostgreSQL compares uuids as 16 bytes in the order they are written.
            RangeKind.Uuid => Guid.Parse(a).ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(Guid.Parse(b).ToByteArray(bigEndian: true)),
            _ => throw new InvalidOperationException($"{kind} ranges do not order keys"),
        };
    }
}
