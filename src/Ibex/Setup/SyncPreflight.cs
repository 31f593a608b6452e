using Ibex.Catalog;
using Ibex.Control.Model;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// The checks of <c>sync add</c> (and <c>sync add-table</c>, with the tables already synced) that create nothing:
/// the spec itself, commit timestamps on multi-master sources, the tables on every node, and the initial copy. Used
/// where a whole plan is checked before anything is created (<c>ibex import bucardo --apply</c>, <c>ibex apply</c>).
/// </summary>
public static class SyncPreflight
{
    public static async Task CheckAsync(SyncSpec spec, IReadOnlyDictionary<string, NpgsqlConnection> conns, IReadOnlyCollection<QualifiedName> alreadySynced, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(conns);
        var where = $"sync '{spec.Name}'";
        var multiMaster = spec.Sources.Count > 1;
        SyncCreator.Validate(spec, where, multiMaster);
        if (multiMaster)
            foreach (var source in spec.Sources)
                if (!(await ServerChecks.ReadAsync(conns[source], cancellationToken).ConfigureAwait(false)).TrackCommitTimestamp)
                    throw new IbexException($"{where}: node '{source}' has track_commit_timestamp off, and multi-master conflict resolution needs it; set track_commit_timestamp = on and restart PostgreSQL");
        var plan = await new TablePlanner(conns).PlanAsync(where, spec, alreadySynced, cancellationToken).ConfigureAwait(false);
        plan.ThrowIfRefused(where);
        var first = spec.Sources[0];
        var copyTargets = conns.Keys.Where(n => n != first && !spec.FullcopyTargets.Contains(n)).ToList();
        await SyncCreator.PlanCopiesAsync(where, spec.CopyMode, conns, copyTargets, plan.Tables, spec.Sources, cancellationToken).ConfigureAwait(false);
    }
}
