using Ibex.Control;
using Ibex.Control.Model;

namespace Ibex.Declarative;

/// <summary>Reads the whole configuration of a control database (nodes with their full connection strings, syncs, tables).</summary>
public static class ConfigExporter
{
    public static async Task<ReplicationConfig> ReadAsync(ControlDatabase control, CancellationToken cancellationToken)
    {
        var nodes = await new NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        var syncs = await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        return new ReplicationConfig([.. nodes.Select(n => new NodeConfig(n.Name, n.Dsn))], [.. syncs.Select(ToConfig)]);
    }

    public static SyncConfig ToConfig(SyncRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var tables = s.Tables.Select(t =>
        {
            var o = t.Options;
            return new TableConfig(t.Name, o.Where, o.Columns, t.TargetName == t.Name ? null : t.TargetName, o.Conflict);
        });
        // Forward is stored as decided at creation (explicit or detected); the file states it explicitly.
        return new SyncConfig(s.Name, [.. s.Sources.Select(n => n.Node)], [.. s.Targets.Select(n => n.Node)], [.. s.FullcopyTargets.Select(n => n.Node)],
            s.CopyMode, s.ConflictStrategy, s.Enabled, s.Options, [.. tables]) { Ddl = s.Ddl };
    }
}
