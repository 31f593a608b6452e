namespace Ibex.Copy;

/// <summary>
/// The live count of one table's copy: the streaming loop adds each chunk as it passes (<see cref="CopyRowCounter"/>),
/// and <see cref="ReportAsync"/> hands a reading to a callback every interval from another task, so a copy that is
/// blocked (a slow or locked target) still reports where it stands.
/// </summary>
public sealed class CopyMeter(bool binary)
{
    readonly CopyRowCounter _rows = new(binary);
    long _bytes;
    long _rowCount;

    public CopyCount Count => new(Volatile.Read(ref _bytes), Volatile.Read(ref _rowCount));

    public void Add(ReadOnlySpan<byte> data)
    {
        _rows.Add(data);
        Volatile.Write(ref _rowCount, _rows.Rows);
        Volatile.Write(ref _bytes, _bytes + data.Length);
    }

    /// <summary>Calls <paramref name="report"/> with the count every <paramref name="interval"/> until cancelled.</summary>
    public async Task ReportAsync(Func<CopyCount, Task> report, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await report(Count).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
