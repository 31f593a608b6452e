using NpgsqlTypes;

namespace Ibex.Changes;

/// <summary>Writes stream items to a spill file and reads them back. Relations are written by reference.</summary>
internal static class SpillCodec
{
    const byte BeginTag = 1, ChangeTag = 2, CommitTag = 3, MarkerTag = 4, DdlTag = 5;

    public static void Write(BinaryWriter w, StreamItem item, Func<RelationInfo, int> relationRef)
    {
        switch (item)
        {
            case BeginItem b:
                w.Write(BeginTag);
                w.Write((ulong)b.CommitLsn);
                w.Write(b.CommitTimestamp.Ticks);
                w.Write(b.Xid);
                w.Write(b.Origin ?? "");
                w.Write(b.Seen?.Count ?? -1);
                foreach (var (node, at) in b.Seen ?? new Dictionary<string, DateTime>())
                {
                    w.Write(node);
                    w.Write(at.Ticks);
                }
                break;
            case ChangeItem { Change: var c }:
                w.Write(ChangeTag);
                w.Write((byte)c.Kind);
                w.Write(relationRef(c.Relation));
                WriteRow(w, c.OldRow);
                WriteRow(w, c.NewRow);
                w.Write(c.Cascade);
                w.Write(c.RestartIdentity);
                w.Write(c.Truncated?.Count ?? -1);
                foreach (var r in c.Truncated ?? [])
                    w.Write(relationRef(r));
                break;
            case CommitItem m:
                w.Write(CommitTag);
                w.Write((ulong)m.CommitLsn);
                w.Write((ulong)m.EndLsn);
                w.Write(m.CommitTimestamp.Ticks);
                break;
            case MarkerItem k:
                w.Write(MarkerTag);
                w.Write((ulong)k.Lsn);
                w.Write(k.Heartbeat?.Ticks ?? -1L);
                break;
            case DdlItem d:
                w.Write(DdlTag);
                w.Write(d.Sql);
                w.Write(d.Tag);
                w.Write(d.SearchPath);
                w.Write(d.Role);
                w.Write(d.Transactional);
                WriteNames(w, d.Created);
                WriteNames(w, d.Dropped);
                WriteNames(w, [.. d.Renamed.SelectMany(r => new[] { r.From, r.To })]);
                w.Write((ulong)d.Lsn);
                break;
            default:
                throw new InvalidOperationException($"cannot spill {item.GetType().Name}");
        }
    }

    public static StreamItem Read(BinaryReader r, Func<int, RelationInfo> relation)
    {
        var tag = r.ReadByte();
        switch (tag)
        {
            case BeginTag:
                var lsn = new NpgsqlLogSequenceNumber(r.ReadUInt64());
                var ts = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
                var xid = r.ReadUInt32();
                var origin = r.ReadString();
                var seenCount = r.ReadInt32();
                Dictionary<string, DateTime>? seen = null;
                if (seenCount >= 0)
                {
                    seen = new Dictionary<string, DateTime>(seenCount);
                    for (var i = 0; i < seenCount; i++)
                        seen[r.ReadString()] = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
                }
                return new BeginItem(lsn, ts, xid, origin.Length == 0 ? null : origin, seen);
            case ChangeTag:
                var kind = (ChangeKind)r.ReadByte();
                var rel = relation(r.ReadInt32());
                var oldRow = ReadRow(r);
                var newRow = ReadRow(r);
                var cascade = r.ReadBoolean();
                var restart = r.ReadBoolean();
                var n = r.ReadInt32();
                List<RelationInfo>? truncated = null;
                if (n >= 0)
                {
                    truncated = new List<RelationInfo>(n);
                    for (var i = 0; i < n; i++)
                        truncated.Add(relation(r.ReadInt32()));
                }
                return new ChangeItem(new Change(kind, rel, oldRow, newRow, truncated, cascade, restart));
            case CommitTag:
                return new CommitItem(new NpgsqlLogSequenceNumber(r.ReadUInt64()), new NpgsqlLogSequenceNumber(r.ReadUInt64()), new DateTime(r.ReadInt64(), DateTimeKind.Utc));
            case MarkerTag:
                var markerLsn = new NpgsqlLogSequenceNumber(r.ReadUInt64());
                var hb = r.ReadInt64();
                return new MarkerItem(markerLsn, hb < 0 ? null : new DateTime(hb, DateTimeKind.Utc));
            case DdlTag:
                var ddl = new DdlItem(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(), r.ReadBoolean()) { Created = ReadNames(r), Dropped = ReadNames(r) };
                var pairs = ReadNames(r);
                return ddl with { Renamed = [.. Enumerable.Range(0, pairs.Count / 2).Select(i => (pairs[2 * i], pairs[2 * i + 1]))], Lsn = new NpgsqlTypes.NpgsqlLogSequenceNumber(r.ReadUInt64()) };
            default:
                throw new InvalidDataException($"spill file is corrupt (tag {tag})");
        }
    }

    static void WriteNames(BinaryWriter w, IReadOnlyList<Sql.QualifiedName> names)
    {
        w.Write(names.Count);
        foreach (var n in names)
        {
            w.Write(n.Schema);
            w.Write(n.Name);
        }
    }

    static List<Sql.QualifiedName> ReadNames(BinaryReader r)
        => [.. Enumerable.Range(0, r.ReadInt32()).Select(_ => new Sql.QualifiedName(r.ReadString(), r.ReadString()))];

    static void WriteRow(BinaryWriter w, RowImage? row)
    {
        if (row is null)
        {
            w.Write(-1);
            return;
        }
        w.Write(row.Count);
        w.Write(row.RawData.Length);
        w.Write(row.RawData);
        for (var i = 0; i < row.Count; i++)
        {
            w.Write(row.RawOffsets[i]);
            w.Write(row.RawLengths[i]);
        }
    }

    static RowImage? ReadRow(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0)
            return null;
        var data = r.ReadBytes(r.ReadInt32());
        var offsets = new int[count];
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = r.ReadInt32();
            lengths[i] = r.ReadInt32();
        }
        return new RowImage(data, offsets, lengths);
    }
}
