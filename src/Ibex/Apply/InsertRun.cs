using Ibex.Changes;
using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// A run of inserts into one table within the batch: kept aside while it is short, then queued as INSERT statements
/// when it ends; once it reaches the COPY threshold its rows go through <c>COPY … FROM STDIN</c> instead, as text
/// (<see cref="CopyText"/>) written in chunks to the raw stream under Npgsql's text writer. The COPY is ended with
/// the stream's asynchronous dispose: the writer's own is synchronous I/O, which must never run on the socket
/// engine's thread.
/// </summary>
public sealed class InsertRun(ApplyBatch batch, int copyThreshold)
{
    // Rows go to the COPY in chunks of about this many bytes, as UTF-8 straight to the stream under the text writer.
    const int CopyChunk = 1 << 16;

    readonly List<RowImage> _rows = [];
    readonly CopyText _text = new();
    RelationPlan? _plan;
    NpgsqlRawCopyStream? _copy;

    /// <summary>A COPY is open on the session.</summary>
    public bool Copying => _copy is not null;

    /// <summary>Rows are kept aside, not yet queued nor copied.</summary>
    public bool HasRows => _rows.Count > 0;

    /// <summary>
    /// Adds an insert (ending a run of another table first). True when the run just reached the COPY threshold: the
    /// caller sends what is queued before it, then calls <see cref="StartCopyAsync"/>.
    /// </summary>
    public async Task<bool> AddAsync(RelationPlan plan, RowImage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(row);
        if (_plan != plan)
        {
            await EndAsync(cancellationToken).ConfigureAwait(false);
            _plan = plan;
        }
        if (_copy is not null)
        {
            await WriteAsync(row, cancellationToken).ConfigureAwait(false);
            return false;
        }
        _rows.Add(row);
        return _rows.Count >= copyThreshold;
    }

    /// <summary>Opens the COPY of the run on <paramref name="connection"/> and writes the rows kept so far into it.</summary>
    public async Task StartCopyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _copy = (NpgsqlRawCopyStream)(await connection.BeginTextImportAsync(_plan!.CopySql, cancellationToken).ConfigureAwait(false)).BaseStream;
        foreach (var row in _rows)
            await WriteAsync(row, cancellationToken).ConfigureAwait(false);
        _rows.Clear();
    }

    async Task WriteAsync(RowImage row, CancellationToken cancellationToken)
    {
        _text.Append(row, _plan!.AllColumns);
        if (_text.Length >= CopyChunk)
            await SendTextAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task SendTextAsync(CancellationToken cancellationToken)
    {
        await _copy!.WriteAsync(_text.Pending, cancellationToken).ConfigureAwait(false);
        _text.Clear();
    }

    /// <summary>Ends the run: finishes its COPY, or queues the few rows as INSERT statements.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_copy is not null)
        {
            await SendTextAsync(cancellationToken).ConfigureAwait(false);
            await _copy.DisposeAsync().ConfigureAwait(false);
            _copy = null;
        }
        else if (_rows.Count > 0)
        {
            foreach (var row in _rows)
                batch.Add(_plan!.InsertCommand(row));
            _rows.Clear();
        }
        _plan = null;
    }

    /// <summary>Drops the COPY text not yet written (after an error).</summary>
    public void DiscardText() => _text.Clear();

    /// <summary>Cancels a COPY still open (the applier is going away).</summary>
    public async Task CancelAsync()
    {
        if (_copy is null)
            return;
        try
        {
            _text.Clear();
            await _copy.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            _copy = null;
        }
    }
}
