using Ibex.Changes;
using Ibex.Control;
using Microsoft.Extensions.Logging;

namespace Ibex.Daemon;

/// <summary>
/// Records in the control database what a replicated DDL statement did to a sync's tables (renamed or moved, created
/// in a covered schema, dropped), as the source's reader reaches it, and tells the operator in the log and an event.
/// </summary>
public sealed class SchemaFollower(string sync, string source, ControlDatabase control, ILogger log)
{
    readonly SchemaFollowStore _store = new(control);

    public async Task PersistAsync(DdlItem ddl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        foreach (var (from, to) in ddl.Renamed)
        {
            await _store.RenameAsync(sync, from, to, cancellationToken).ConfigureAwait(false);
            await NoteAsync($"table {from.Display} was renamed to {to.Display} on '{source}'; the sync follows it", cancellationToken).ConfigureAwait(false);
        }
        foreach (var t in ddl.Created)
        {
            await _store.AddAsync(sync, t, cancellationToken).ConfigureAwait(false);
            await NoteAsync($"table {t.Display} was created on '{source}' in a schema the sync covers; it joins the sync", cancellationToken).ConfigureAwait(false);
        }
        foreach (var t in ddl.Dropped)
        {
            await _store.RemoveAsync(sync, t, cancellationToken).ConfigureAwait(false);
            await NoteAsync($"table {t.Display} was dropped on '{source}'; it leaves the sync", cancellationToken).ConfigureAwait(false);
        }
    }

    async Task NoteAsync(string message, CancellationToken cancellationToken)
    {
        log.LogInformation("sync {Sync}: {Message}", sync, message);
        await control.LogEventAsync(sync, source, "info", message, cancellationToken).ConfigureAwait(false);
    }
}
