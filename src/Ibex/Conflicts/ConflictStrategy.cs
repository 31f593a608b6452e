using Ibex.Sql;

namespace Ibex.Conflicts;

/// <summary>
/// A conflict strategy as an operator names it: <c>latest</c> (default: last writer wins by commit time, ties to the
/// node whose name sorts first), <c>priority:A,B,C[@window]</c> (a version from a node listed earlier beats versions
/// from nodes listed later that were written less than <c>window</c> — default 2 s — per list step after it; beyond
/// that the newer version wins), <c>keep-local</c>, <c>abort</c> (stop the sync until an operator resolves it),
/// <c>custom:schema.function</c>.
/// </summary>
/// <remarks>
/// <c>latest</c> and <c>priority</c> are total orders on row versions (commit time, shifted by rank for priority):
/// every node keeps, for each key, the greatest of the concurrent versions it has seen, deletes included (tombstones),
/// which is what makes them converge whatever order changes arrive in. A version written after its node had received
/// another supersedes that one under every strategy (<see cref="ConflictRules.Decide"/>).
/// </remarks>
public sealed record ConflictStrategy(StrategyKind Kind, IReadOnlyList<string> Priority, QualifiedName? Function, string Text)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(2);

    /// <summary>Priority only: how much later a lower-ranked node's version must be to win.</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>Latest and priority decide every pair of versions by a total order, so nodes converge.</summary>
    public bool IsTotalOrder => Kind is StrategyKind.Latest or StrategyKind.Priority;
    public static readonly ConflictStrategy Latest = new(StrategyKind.Latest, [], null, "latest");

    public static ConflictStrategy Parse(string text, IReadOnlyCollection<string>? nodes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t == "latest")
            return Latest;
        if (t == "keep-local")
            return new(StrategyKind.KeepLocal, [], null, t);
        if (t == "abort")
            return new(StrategyKind.Abort, [], null, t);
        if (t.StartsWith("priority:", StringComparison.Ordinal))
        {
            var body = t["priority:".Length..];
            var window = DefaultWindow;
            var at = body.LastIndexOf('@');
            if (at >= 0)
            {
                if (!TryDuration(body[(at + 1)..], out window))
                    throw new IbexException($"conflict strategy '{text}': window '{body[(at + 1)..]}' is not a duration; write e.g. priority:A,B@5s");
                body = body[..at];
            }
            var list = body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (list.Length == 0)
                throw new IbexException($"conflict strategy '{text}' lists no node; write priority:A,B,C");
            var unknown = nodes is null ? [] : list.Where(n => !nodes.Contains(n)).ToList();
            if (unknown.Count > 0)
                throw new IbexException($"conflict strategy '{text}' names node {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which is not a node of this sync");
            return new(StrategyKind.Priority, list, null, "priority:" + string.Join(',', list) + (window == DefaultWindow ? "" : "@" + window.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s"))
            {
                Window = window,
            };
        }
        if (t.StartsWith("custom:", StringComparison.Ordinal))
        {
            var name = t["custom:".Length..];
            var dot = SplitQualified(name) ?? throw new IbexException($"conflict strategy '{text}' needs a schema-qualified function: custom:schema.function");
            return new(StrategyKind.Custom, [], dot, t);
        }
        throw new IbexException($"unknown conflict strategy '{text}'; use latest, priority:A,B,C, keep-local, abort or custom:schema.function");
    }

    static QualifiedName? SplitQualified(string name)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '"')
            {
                if (quoted && i + 1 < name.Length && name[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                    continue;
                }
                quoted = !quoted;
                continue;
            }
            if (c == '.' && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(quoted ? c : char.ToLowerInvariant(c));
        }
        parts.Add(current.ToString());
        return parts.Count == 2 && parts.All(p => p.Length > 0) ? new QualifiedName(parts[0], parts[1]) : null;
    }

    /// <summary>
    /// For latest and priority: does the remote version beat the local one? The answer is the same on every node
    /// for the same two versions, which is what makes them converge.
    /// </summary>
    public bool RemoteWins(RowVersion local, RowVersion remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        return Kind switch
        {
            StrategyKind.Priority => Compare(Shift(local), Shift(remote)),
            StrategyKind.KeepLocal => false,
            _ => LaterWins(local, remote),
        };
    }

    /// <summary>Priority: a version's commit time moved forward by one window per place it stands above the last.</summary>
    RowVersion Shift(RowVersion v)
    {
        if (v.CommitTimestamp is not { } t)
            return v;
        var rank = Rank(v.Node);
        var steps = rank >= Priority.Count ? 0 : Priority.Count - rank;
        return v with { CommitTimestamp = t + (Window * steps) };
    }

    static bool Compare(RowVersion local, RowVersion remote) => LaterWins(local, remote);

    /// <summary>How far a version's position may be ahead of its commit time (priority's largest shift).</summary>
    public TimeSpan MaxShift => Kind == StrategyKind.Priority ? Window * Priority.Count : TimeSpan.Zero;

    static bool TryDuration(string text, out TimeSpan value)
    {
        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001) : t.EndsWith('s') ? (t[..^1], 1.0) : t.EndsWith('m') ? (t[..^1], 60.0) : (t, 1.0);
        var ok = double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0;
        value = ok ? TimeSpan.FromSeconds(n * unit) : default;
        return ok;
    }

    /// <summary>Last writer wins by commit time; an unknown time loses; ties go to the node whose name sorts first.</summary>
    public static bool LaterWins(RowVersion local, RowVersion remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        if (local.CommitTimestamp is not { } l)
            return true;
        if (remote.CommitTimestamp is not { } r)
            return false;
        if (r != l)
            return r > l;
        return string.CompareOrdinal(remote.Node ?? "\uffff", local.Node ?? "\uffff") < 0;
    }

    int Rank(string? node)
    {
        if (node is null)
            return int.MaxValue;
        for (var i = 0; i < Priority.Count; i++)
            if (Priority[i] == node)
                return i;
        return int.MaxValue - 1;
    }

    public override string ToString() => Text;
}
