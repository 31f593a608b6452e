using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync set-ddl</c>: installs the DDL capture on every source (replicate) or takes the sync out of it, then
/// stores the mode; a running daemon restarts the sync with it. Turned on later, the capture covers the sync's tables
/// by name (the patterns <c>sync add</c> was given are not kept), so tables created afterwards join only a sync that
/// was created with <c>--ddl replicate</c>.
/// </summary>
public sealed class DdlModeChanger(ControlDatabase control, ILogger log)
{
    public async Task<SyncRecord> SetAsync(string name, DdlMode mode, CancellationToken cancellationToken)
    {
        var sync = await new SyncStore(control).GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (mode == DdlMode.Replicate && sync.Tables.Any(t => t.TargetName != t.Name))
            throw new IbexException($"sync '{name}': --ddl replicate runs the source's statements on targets as they are, and some tables have other names there (--map); keep --ddl stop");
        if (mode == DdlMode.Replicate && !sync.Sources.Any(s => s.SlotName is not null))
            throw new IbexException($"sync '{name}': --ddl replicate needs a streamed target; fullcopy targets get each table whole");
        var nodes = new NodeStore(control);
        var patterns = sync.Tables.Select(t => TablePattern.Parse(t.Name.Quoted)).ToList();
        var created = new CreatedObjects();
        var conns = new List<Npgsql.NpgsqlConnection>();
        try
        {
            foreach (var source in sync.Sources)
            {
                var conn = await NodeConnections.OpenAsync(await nodes.GetAsync(source.Node, cancellationToken).ConfigureAwait(false), "setup", cancellationToken).ConfigureAwait(false);
                conns.Add(conn);
                if (mode == DdlMode.Replicate)
                    await DdlCapture.InstallAsync(conn, source.Node, name, sync.PublicationName, patterns, created, cancellationToken).ConfigureAwait(false);
                else
                    await DdlCapture.RemoveAsync(conn, sync.PublicationName, cancellationToken).ConfigureAwait(false);
            }
            await new SchemaFollowStore(control).SetModeAsync(name, mode, cancellationToken).ConfigureAwait(false);
            if (mode != DdlMode.Replicate)
                await new DdlLockStore(control).ClearAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await created.UndoAsync(log).ConfigureAwait(false);
            throw;
        }
        finally
        {
            foreach (var c in conns)
                await c.DisposeAsync().ConfigureAwait(false);
        }
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
        return sync with { Ddl = mode };
    }
}
