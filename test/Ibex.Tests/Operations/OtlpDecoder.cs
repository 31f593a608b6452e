using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ibex.Tests.Operations;

/// <summary>
/// Decodes what an OTLP/HTTP exporter posts (protobuf), enough to check it: the metrics of ExportMetricsServiceRequest
/// (gauges and sums with their attributes and values) and the spans of ExportTraceServiceRequest (names and
/// attributes). A plain protobuf wire reader; field numbers are those of opentelemetry-proto v1.
/// </summary>
public static class OtlpDecoder
{
    public sealed record Point(string Scope, string Metric, string Description, string Type, bool Monotonic, int Temporality, IReadOnlyDictionary<string, string> Attributes, double Value);

    public sealed record Span(string Scope, string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);

    public static List<Point> Metrics(byte[] body)
    {
        var points = new List<Point>();
        foreach (var rm in Messages(body, 1))
            foreach (var sm in Messages(rm, 2))
            {
                var scope = Messages(sm, 1).Select(s => Strings(s, 1).FirstOrDefault() ?? "").FirstOrDefault() ?? "";
                foreach (var metric in Messages(sm, 2))
                {
                    var name = Strings(metric, 1).Single();
                    var description = Strings(metric, 2).FirstOrDefault() ?? "";
                    foreach (var (type, field) in new[] { ("gauge", 5), ("sum", 7) })
                        foreach (var data in Messages(metric, field))
                        {
                            var monotonic = Varints(data, 3).FirstOrDefault() == 1;
                            var temporality = (int)Varints(data, 2).FirstOrDefault();
                            foreach (var dp in Messages(data, 1))
                                points.Add(new Point(scope, name, description, type, monotonic, temporality, Attributes(dp, 7), Number(dp)));
                        }
                }
            }
        return points;
    }

    public static List<Span> Spans(byte[] body)
    {
        var spans = new List<Span>();
        foreach (var rs in Messages(body, 1))
        {
            var resource = Messages(rs, 1).Select(r => Attributes(r, 1)).FirstOrDefault() ?? new Dictionary<string, string>();
            foreach (var ss in Messages(rs, 2))
            {
                var scope = Messages(ss, 1).Select(s => Strings(s, 1).FirstOrDefault() ?? "").FirstOrDefault() ?? "";
                foreach (var span in Messages(ss, 2))
                    spans.Add(new Span(scope, Strings(span, 5).Single(), Attributes(span, 9), resource));
            }
        }
        return spans;
    }

    static double Number(byte[] dataPoint)
    {
        foreach (var f in Fields(dataPoint))
        {
            if (f.Number == 4 && f.Wire == 1)
                return BitConverter.Int64BitsToDouble((long)f.Fixed);
            if (f.Number == 6 && f.Wire == 1)
                return (long)f.Fixed;
        }
        throw new InvalidDataException("data point without a value");
    }

    static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var result = new Dictionary<string, string>();
        foreach (var kv in Messages(message, field))
        {
            var key = Strings(kv, 1).Single();
            var any = Messages(kv, 2).Single();
            foreach (var f in Fields(any))
                result[key] = f switch
                {
                    { Number: 1, Wire: 2 } => Encoding.UTF8.GetString(f.Bytes),
                    { Number: 2, Wire: 0 } => f.Fixed == 1 ? "true" : "false",
                    { Number: 3, Wire: 0 } => ((long)f.Fixed).ToString(CultureInfo.InvariantCulture),
                    { Number: 4, Wire: 1 } => BitConverter.Int64BitsToDouble((long)f.Fixed).ToString(CultureInfo.InvariantCulture),
                    _ => "?",
                };
        }
        return result;
    }

    static IEnumerable<byte[]> Messages(byte[] message, int field) => Fields(message).Where(f => f.Number == field && f.Wire == 2).Select(f => f.Bytes);

    static IEnumerable<string> Strings(byte[] message, int field) => Messages(message, field).Select(b => Encoding.UTF8.GetString(b));

    static IEnumerable<ulong> Varints(byte[] message, int field) => Fields(message).Where(f => f.Number == field && f.Wire == 0).Select(f => f.Fixed);

    readonly record struct Field(int Number, int Wire, ulong Fixed, byte[] Bytes);

    static List<Field> Fields(byte[] data)
    {
        var fields = new List<Field>();
        var i = 0;
        while (i < data.Length)
        {
            var tag = Varint(data, ref i);
            var number = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, Varint(data, ref i), []));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i, 8)), []));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref i);
                    fields.Add(new Field(number, wire, 0, data.AsSpan(i, length).ToArray()));
                    i += length;
                    break;
                case 5:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i, 4)), []));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire} at {i}");
            }
        }
        return fields;
    }

    static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
    }
}
