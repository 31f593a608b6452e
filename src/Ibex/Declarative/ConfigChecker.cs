using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control.Model;
using Ibex.Setup;
using Npgsql;

namespace Ibex.Declarative;

/// <summary>
/// Runs, before anything is changed, the checks <c>node add</c>, <c>sync add</c> and <c>sync add-table</c> run for
/// every step of a plan: each new or changed node reachable and able to replicate, each new sync's and each added
/// table's tables present with keys and matching columns on every node, and the initial copy possible. Throws one
/// line listing every problem.
/// </summary>
public sealed class ConfigChecker(ReplicationConfig desired, ReplicationConfig current)
{
    /// <summary>The server version of every node checked, by name.</summary>
    public Dictionary<string, int> Versions { get; } = new(StringComparer.Ordinal);

    public async Task CheckAsync(ApplyPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>();
        var conns = new Dictionary<string, NpgsqlConnection>(StringComparer.Ordinal);
        try
        {
            foreach (var step in plan.Steps)
            {
                try
                {
                    await CheckAsync(step, conns, cancellationToken).ConfigureAwait(false);
                }
                catch (IbexException e)
                {
                    problems.Add(e.Message.Replace(" refused, nothing was created:", ":", StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            foreach (var c in conns.Values)
                await c.DisposeAsync().ConfigureAwait(false);
        }
        if (problems.Count > 0)
            throw new IbexException("apply refused, nothing was changed: " + string.Join(" | ", problems.Select(p => string.Join(' ', p.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))));
    }

    async Task CheckAsync(PlanStep step, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        switch (step.Kind)
        {
            case StepKind.AddNode or StepKind.ChangeNode:
                await OpenAsync(step.Name, conns, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.AddSync or StepKind.RecreateSync:
                await CheckSyncAsync(step.Sync!, step.Sync!.Tables, [], conns, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.AddTables:
                var staying = current.Syncs.Single(s => s.Name == step.Name).Tables.Select(t => t.Name).Except(step.Tables.Select(t => t.Name)).ToList();
                await CheckSyncAsync(step.Sync!, step.Tables, staying, conns, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.ChangeSync:
                SyncCreator.Validate(step.Sync!.Spec(), $"sync '{step.Name}'", step.Sync.Sources.Count > 1);
                break;
        }
    }

    async Task CheckSyncAsync(SyncConfig sync, IReadOnlyList<TableConfig> tables, IReadOnlyCollection<Sql.QualifiedName> already, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        SyncCreator.Validate(sync.Spec(tables), $"sync '{sync.Name}'", sync.Sources.Count > 1);
        var mine = new Dictionary<string, NpgsqlConnection>(StringComparer.Ordinal);
        foreach (var node in sync.AllNodes)
            mine[node] = await OpenAsync(node, conns, cancellationToken).ConfigureAwait(false);
        await SyncPreflight.CheckAsync(sync.Spec(tables), mine, already, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A session on a node as the file describes it (checked like <c>node add</c> the first time).</summary>
    async Task<NpgsqlConnection> OpenAsync(string node, Dictionary<string, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        if (conns.TryGetValue(node, out var open))
            return open;
        var what = $"node '{node}'";
        var dsn = desired.Nodes.Single(n => n.Name == node).Dsn;
        var conn = await NodeConnections.OpenAsync(ConnectionString.Parse(dsn, what), what, "setup", cancellationToken).ConfigureAwait(false);
        conns[node] = conn;
        var facts = await ServerChecks.ReadAsync(conn, cancellationToken).ConfigureAwait(false);
        ServerChecks.Require(node, facts);
        Versions[node] = facts.VersionNum;
        await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
        return conn;
    }
}
