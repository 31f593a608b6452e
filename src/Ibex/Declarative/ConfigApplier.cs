using Ibex.Catalog;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Setup;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Declarative;

/// <summary>
/// <c>ibex apply</c>: plans the steps from a control database's configuration to the one wanted, checks them all
/// (<see cref="ConfigChecker"/>), then runs each through the code of the matching command (<see cref="SyncCreator"/>,
/// <see cref="SyncRemover"/>, <see cref="TableChanger"/>, <see cref="NodeStore"/>). Should a step still fail, the nodes
/// and syncs this run had added are removed again and the error says what had already been done.
/// </summary>
public sealed class ConfigApplier(ControlDatabase control, ILoggerFactory loggers)
{
    /// <summary>Renders the SQL that makes a node's tables match the source (the schema-diff engine), for refusals.</summary>
    public Func<NpgsqlConnection, NpgsqlConnection, IReadOnlyCollection<Sql.QualifiedName>, CancellationToken, Task<string?>>? FixSql { get; init; }

    /// <summary>Warnings of the steps run (e.g. a replica identity that becomes FULL).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The plan from what the control database holds to <paramref name="desired"/>.</summary>
    public async Task<ApplyPlan> PlanAsync(ReplicationConfig desired, CancellationToken cancellationToken)
        => ConfigPlanner.Plan(desired, await ConfigExporter.ReadAsync(control, cancellationToken).ConfigureAwait(false));

    /// <summary>Checks every step, then runs them in order; <paramref name="progress"/> hears each step as it completes.</summary>
    public async Task ApplyAsync(ReplicationConfig desired, ApplyPlan plan, Func<PlanStep, Task> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        var current = await ConfigExporter.ReadAsync(control, cancellationToken).ConfigureAwait(false);
        var checker = new ConfigChecker(desired, current);
        await checker.CheckAsync(plan, cancellationToken).ConfigureAwait(false);
        var done = new List<PlanStep>();
        foreach (var step in plan.Steps)
        {
            try
            {
                await RunAsync(step, checker.Versions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IbexException or NpgsqlException)
            {
                var undone = await UndoAsync(done).ConfigureAwait(false);
                var kept = done.Where(d => d.Kind is not (StepKind.AddNode or StepKind.AddSync)).Select(d => d.Line).ToList();
                throw new IbexException($"apply stopped at '{step.Line}': {Errors.Describe(e)}"
                    + (undone.Count > 0 ? $"; removed again what it had added: {string.Join(", ", undone)}" : "")
                    + (kept.Count > 0 ? $"; already done: {string.Join(", ", kept)}" : "; nothing else was changed"), e);
            }
            done.Add(step);
            await progress(step).ConfigureAwait(false);
        }
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task RunAsync(PlanStep step, IReadOnlyDictionary<string, int> versions, CancellationToken cancellationToken)
    {
        var nodes = new NodeStore(control);
        var syncs = new SyncStore(control);
        switch (step.Kind)
        {
            case StepKind.AddNode:
                await nodes.AddAsync(new NodeRecord(step.Name, step.Node!.Dsn, versions[step.Name], DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.ChangeNode:
                await nodes.UpdateAsync(new NodeRecord(step.Name, step.Node!.Dsn, versions[step.Name], DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.RemoveNode:
                await nodes.RemoveAsync(step.Name, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.RemoveSync:
                await RemoveSyncAsync(step.Name, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.RecreateSync:
                await RemoveSyncAsync(step.Name, cancellationToken).ConfigureAwait(false);
                await CreateSyncAsync(step.Sync!, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.AddSync:
                await CreateSyncAsync(step.Sync!, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.ChangeSync:
                await syncs.UpdateSettingsAsync(step.Name, step.Sync!.Copy, step.Sync.Conflict, step.Sync.Options, cancellationToken).ConfigureAwait(false);
                if ((await syncs.GetAsync(step.Name, cancellationToken).ConfigureAwait(false)).Ddl != step.Sync.Ddl)
                    await new DdlModeChanger(control, loggers.CreateLogger<DdlModeChanger>()).SetAsync(step.Name, step.Sync.Ddl, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.RemoveTables:
                await new TableChanger(control, loggers.CreateLogger<TableChanger>())
                    .RemoveAsync(step.Name, [.. step.Tables.Select(t => TablePattern.Parse(t.Name.Quoted))], cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.AddTables:
                var spec = step.Sync!.Spec(step.Tables);
                var changer = new TableChanger(control, loggers.CreateLogger<TableChanger>()) { FixSql = FixSql };
                await changer.AddAsync(step.Name, spec.Tables, spec, cancellationToken).ConfigureAwait(false);
                Warnings.AddRange(changer.Warnings);
                await SetConflictsAsync(step.Name, step.Tables.Where(t => t.Conflict is not null), cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.SetTableConflicts:
                await SetConflictsAsync(step.Name, step.Tables, cancellationToken).ConfigureAwait(false);
                break;
            case StepKind.Pause or StepKind.Resume:
                await syncs.SetEnabledAsync(step.Name, step.Kind == StepKind.Resume, cancellationToken).ConfigureAwait(false);
                if (step.Kind == StepKind.Resume)
                    await new ConflictStore(control).ResolveAbortedAsync(step.Name, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    async Task CreateSyncAsync(SyncConfig sync, CancellationToken cancellationToken)
    {
        var creator = new SyncCreator(control, loggers.CreateLogger<SyncCreator>()) { FixSql = FixSql };
        await creator.CreateAsync(sync.Spec(), cancellationToken).ConfigureAwait(false);
        Warnings.AddRange(creator.Warnings);
        await SetConflictsAsync(sync.Name, sync.Tables.Where(t => t.Conflict is not null), cancellationToken).ConfigureAwait(false);
        if (!sync.Enabled)
            await new SyncStore(control).SetEnabledAsync(sync.Name, false, cancellationToken).ConfigureAwait(false);
    }

    async Task SetConflictsAsync(string sync, IEnumerable<TableConfig> tables, CancellationToken cancellationToken)
    {
        foreach (var t in tables)
            await new SyncStore(control).SetTableOptionAsync(sync, t.Name, "conflict", t.Conflict, cancellationToken).ConfigureAwait(false);
    }

    async Task RemoveSyncAsync(string name, CancellationToken cancellationToken)
    {
        var leftovers = await new SyncRemover(control, loggers.CreateLogger<SyncRemover>()).RemoveAsync(name, force: false, cancellationToken).ConfigureAwait(false);
        if (leftovers.Count > 0)
            throw new IbexException($"sync '{name}' left objects behind: {string.Join(" ", leftovers)}");
    }

    /// <summary>Removes the nodes and syncs this run added (best effort); returns what it removed.</summary>
    async Task<List<string>> UndoAsync(List<PlanStep> done)
    {
        var undone = new List<string>();
        foreach (var step in Enumerable.Reverse(done))
        {
            try
            {
                if (step.Kind == StepKind.AddSync)
                    await new SyncRemover(control, loggers.CreateLogger<SyncRemover>()).RemoveAsync(step.Name, force: true, CancellationToken.None).ConfigureAwait(false);
                else if (step.Kind == StepKind.AddNode)
                    await new NodeStore(control).RemoveAsync(step.Name, CancellationToken.None).ConfigureAwait(false);
                else
                    continue;
                undone.Add($"{(step.Kind == StepKind.AddSync ? "sync" : "node")} '{step.Name}'");
            }
            catch (Exception e) when (e is IbexException or NpgsqlException)
            {
                Warnings.Add($"could not remove {step.Name} again: {Errors.Describe(e)}");
            }
        }
        return undone;
    }
}
