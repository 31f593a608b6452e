namespace Ibex.Apply;

/// <summary>Rows and transactions applied on one link, updated by the applier and read by the status publisher.</summary>
public sealed class LinkCounters
{
    long _inserts, _updates, _deletes, _truncates, _transactions, _missingRows;

    public long Inserts => Interlocked.Read(ref _inserts);

    public long Updates => Interlocked.Read(ref _updates);

    public long Deletes => Interlocked.Read(ref _deletes);

    public long Truncates => Interlocked.Read(ref _truncates);

    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>UPDATEs and DELETEs that found no row on the target (the target had drifted).</summary>
    public long MissingRows => Interlocked.Read(ref _missingRows);

    public void Add(TxnCounts c)
    {
        Interlocked.Add(ref _inserts, c.Inserts);
        Interlocked.Add(ref _updates, c.Updates);
        Interlocked.Add(ref _deletes, c.Deletes);
        Interlocked.Add(ref _truncates, c.Truncates);
        Interlocked.Increment(ref _transactions);
    }

    public void AddMissingRows(int n) => Interlocked.Add(ref _missingRows, n);

    public long Rows => Inserts + Updates + Deletes;
}

/// <summary>Counts of one applied transaction.</summary>
public struct TxnCounts
{
    public int Inserts;
    public int Updates;
    public int Deletes;
    public int Truncates;
}
