using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Setup;
using Npgsql;

namespace Ibex.Import;

/// <summary>
/// Checks a whole <see cref="ImportPlan"/> before anything is created: names free in the control database, every node
/// reachable and able to take part in logical replication (the checks of <c>node add</c>), and every sync's tables
/// present with keys and matching columns on all its nodes (the table planner of <c>sync add</c>).
/// </summary>
public sealed class ImportValidator(ControlDatabase control)
{
    /// <summary>Nodes that already exist in the control database with the same server and database (not added again).</summary>
    public HashSet<string> Reused { get; } = [];

    /// <summary>Throws one line listing every problem, each naming its object and the fix, when the plan cannot be applied.</summary>
    public async Task ValidateAsync(ImportPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>(plan.Problems);
        var existingNodes = await new NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        var existingSyncs = (await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Name).ToHashSet();
        var conns = new Dictionary<string, NpgsqlConnection>();
        try
        {
            foreach (var node in plan.Nodes.Where(n => n.Problem is null))
            {
                var what = $"node '{node.Name}'";
                try
                {
                    var settings = ConnectionString.Parse(node.Dsn, what);
                    if (existingNodes.FirstOrDefault(e => e.Name == node.Name) is { } existing)
                    {
                        if (ConnectionString.Redact(existing.Dsn) != ConnectionString.Describe(settings))
                            throw new IbexException($"{what} already exists in the Ibex control database for {existing.SafeDsn}, not {ConnectionString.Describe(settings)}; remove it with 'ibex node remove {node.Name}' or rename the Bucardo db");
                        Reused.Add(node.Name);
                    }
                    var conn = await NodeConnections.OpenAsync(settings, what, "import", cancellationToken).ConfigureAwait(false);
                    conns[node.Name] = conn;
                    ServerChecks.Require(node.Name, await ServerChecks.ReadAsync(conn, cancellationToken).ConfigureAwait(false));
                    await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
                }
                catch (IbexException e)
                {
                    problems.Add(e.Message);
                }
            }
            foreach (var sync in plan.Syncs.Where(s => s.Problem is null))
            {
                var where = $"sync '{sync.Name}'";
                if (existingSyncs.Contains(sync.Name))
                {
                    problems.Add($"{where} already exists in the Ibex control database; remove it with 'ibex sync remove {sync.Name}' or rename the Bucardo sync");
                    continue;
                }
                var members = sync.Sources.Concat(sync.Targets).Concat(sync.Fullcopy).ToList();
                if (members.Any(m => !conns.ContainsKey(m)))
                    continue; // the node's own problem is already listed
                try
                {
                    await CheckSyncAsync(sync, where, members.ToDictionary(m => m, m => conns[m]), cancellationToken).ConfigureAwait(false);
                }
                catch (IbexException e)
                {
                    problems.Add(e.Message.Replace($"{where} refused, nothing was created: ", $"{where}: ", StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            foreach (var c in conns.Values)
                await c.DisposeAsync().ConfigureAwait(false);
        }
        if (problems.Count > 0)
            throw new IbexException("import refused, nothing was created: " + string.Join(" | ", problems.Select(p => string.Join(' ', p.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))));
    }

    static async Task CheckSyncAsync(ImportSync sync, string where, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        ObjectNames.Validate("sync", sync.Name);
        _ = Conflicts.ConflictStrategy.Parse(sync.Conflict ?? "latest", [.. conns.Keys]);
        var spec = new SyncSpec(sync.Name, TablePattern.ParseList(sync.Tables), sync.Sources, sync.Targets, Enum.Parse<CopyMode>(sync.Copy, ignoreCase: true), sync.Conflict ?? "latest")
        {
            FullcopyTargets = sync.Fullcopy,
            Forward = sync.Forward,
            Map = [.. sync.Map.Select(m => TableSetting.Parse(m, "--map"))],
            Columns = [.. sync.Columns.Select(c => TableSetting.Parse(c, "--columns"))],
        };
        await SyncPreflight.CheckAsync(spec, conns, [], cancellationToken).ConfigureAwait(false);
    }
}
