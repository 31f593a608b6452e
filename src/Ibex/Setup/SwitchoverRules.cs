using Ibex.Control.Model;
using Ibex.Monitoring;

namespace Ibex.Setup;

/// <summary>
/// The checks of <c>ibex switchover</c> that need no server: which syncs can be reversed, and whether the link is
/// caught up enough to start. Each refusal is one line naming the sync or node and the fix; nothing is changed.
/// </summary>
public static class SwitchoverRules
{
    /// <summary>Returns the sync's source (the node that will follow <paramref name="to"/>), or throws.</summary>
    public static string Check(SyncRecord sync, string to, IReadOnlyCollection<string> knownNodes)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(knownNodes);
        var where = $"sync '{sync.Name}'";
        var sources = sync.Sources.Select(n => n.Node).ToList();
        var targets = sync.Targets.Select(n => n.Node).ToList();
        if (!knownNodes.Contains(to))
            throw new IbexException($"unknown node '{to}'; switch over to the target of {where}: 'ibex switchover {sync.Name} --to {string.Join("|", targets)}'");
        if (sources.Count > 1)
            throw new IbexException($"{where} is multi-master (sources {string.Join(", ", sources)}): every node already takes writes, so there is nothing to switch over; move the applications to '{to}' directly");
        if (sources.Contains(to))
            throw new IbexException($"node '{to}' is already the source of {where}; switch over to its target with 'ibex switchover {sync.Name} --to {string.Join("|", targets)}'");
        if (!targets.Contains(to))
            throw new IbexException($"node '{to}' is not a target of {where} (its target{(targets.Count == 1 ? " is" : "s are")} {string.Join(", ", targets)}); switch over to one of them");
        if (targets.Count > 1 || sync.FullcopyTargets.Any())
            throw new IbexException($"{where} has several targets ({string.Join(", ", targets.Concat(sync.FullcopyTargets.Select(n => n.Node)))}); a switchover reverses one source and one target: make a sync per target and switch over that one");
        if (!sync.Enabled)
            throw new IbexException($"{where} is paused, so '{to}' cannot catch up; resume it with 'ibex sync resume {sync.Name}' first");
        var options = sync.Options;
        if (options.KickMode)
            throw new IbexException($"{where} applies only when kicked; a switchover needs a sync that streams (--mode stream, the default) so the target is caught up");
        if (options.Forward)
            throw new IbexException($"{where} forwards changes it received (cascading), which reversed would send them back; make a sync without --forward for the switchover");
        var reshaped = sync.Tables.Where(t => t.Options is { Where: not null } or { Columns: not null } || t.TargetName != t.Name).Select(t => t.Name.Display).ToList();
        if (reshaped.Count > 0)
            throw new IbexException($"{where}: table {string.Join(", ", reshaped)} {(reshaped.Count == 1 ? "is" : "are")} filtered, limited to some columns or renamed on the target, so '{sync.Sources.First().Node}' cannot follow '{to}' with the same tables; remove those tables from the sync or make a sync of whole tables under their own names");
        return sources[0];
    }

    /// <summary>Throws unless the link is streaming, published recently and at most <paramref name="maxLag"/> behind.</summary>
    public static void RequireCaughtUp(string sync, LinkStatus? link, string from, string to, TimeSpan maxLag)
    {
        if (link is null || link.State is "not started" or "stale")
            throw new IbexException($"sync '{sync}': no daemon is running it (link {from} -> {to} is {link?.State ?? "not started"}); start 'ibex run' and let '{to}' catch up first");
        if (link.State != "streaming")
            throw new IbexException($"sync '{sync}': link {from} -> {to} is {link.State}{(link.Error is null ? "" : ": " + link.Error)}; a switchover needs it streaming and caught up ('ibex status {sync}')");
        if (link.LagSeconds is { } lag && lag > maxLag.TotalSeconds)
            throw new IbexException($"sync '{sync}': '{to}' is {lag.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s behind '{from}', more than --max-lag {maxLag.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s; wait until it catches up ('ibex wait {sync}') and run the switchover again");
    }
}
