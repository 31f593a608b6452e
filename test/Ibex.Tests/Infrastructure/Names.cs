namespace Ibex.Tests.Infrastructure;

/// <summary>Unique, valid object names for one test (databases, syncs, nodes).</summary>
public static class Names
{
    static int _counter;

    /// <summary>A lower-case name unique in this test run, e.g. <c>t17_a3f</c>.</summary>
    public static string Unique(string prefix = "t")
    {
        var n = Interlocked.Increment(ref _counter);
        return $"{prefix}{n}_{Environment.ProcessId % 10000}";
    }
}
