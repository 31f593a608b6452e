using System.Globalization;

namespace Ibex.Schema.Model;

/// <summary>The options of a sequence (its current value is data, not schema, and is not compared).</summary>
internal sealed record SequenceOptions(string DataType, long Start, long Increment, long Min, long Max, long Cache, bool Cycle)
{
    /// <summary>The options as CREATE SEQUENCE and identity columns spell them.</summary>
    public string Render(bool includeType = true)
    {
        var parts = new List<string>();
        if (includeType)
            parts.Add("AS " + DataType);
        parts.Add("INCREMENT BY " + N(Increment));
        parts.Add("MINVALUE " + N(Min));
        parts.Add("MAXVALUE " + N(Max));
        parts.Add("START WITH " + N(Start));
        parts.Add("CACHE " + N(Cache));
        parts.Add(Cycle ? "CYCLE" : "NO CYCLE");
        return string.Join(" ", parts);
    }

    /// <summary>The ALTER SEQUENCE clauses that turn <paramref name="old"/> into these options (none when equal).</summary>
    public IReadOnlyList<string> Changes(SequenceOptions old, bool includeType = true)
    {
        ArgumentNullException.ThrowIfNull(old);
        var parts = new List<string>();
        if (includeType && DataType != old.DataType)
            parts.Add("AS " + DataType);
        if (Increment != old.Increment)
            parts.Add("INCREMENT BY " + N(Increment));
        if (Min != old.Min || DataType != old.DataType)
            parts.Add("MINVALUE " + N(Min));
        if (Max != old.Max || DataType != old.DataType)
            parts.Add("MAXVALUE " + N(Max));
        if (Start != old.Start)
            parts.Add("START WITH " + N(Start));
        if (Cache != old.Cache)
            parts.Add("CACHE " + N(Cache));
        if (Cycle != old.Cycle)
            parts.Add(Cycle ? "CYCLE" : "NO CYCLE");
        return parts;
    }

    static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
