namespace Ibex.Apply;

/// <summary>Tuning of the apply path (defaults suit most workloads).</summary>
public sealed record ApplyOptions
{
    /// <summary>Memory a target's queue may hold before spilling to a temporary file.</summary>
    public long QueueMemoryBytes { get; init; } = 16L << 20;

    /// <summary>Folder for spill files.</summary>
    public string SpillDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Size of a queue's spill file past which the reader waits for the target to catch up.</summary>
    public long SpillCapBytes { get; init; } = 8L << 30;

    /// <summary>Statements sent in one round trip at most.</summary>
    public int MaxBatchStatements { get; init; } = 500;

    /// <summary>A run of inserts into one table at least this long goes through COPY instead of INSERTs.</summary>
    public int CopyThreshold { get; init; } = 32;
}
