using Ibex.Local;

[assembly: AssemblyFixture(typeof(Ibex.Tests.Infrastructure.SharedClusters))]

namespace Ibex.Tests.Infrastructure;

/// <summary>
/// Three PostgreSQL clusters shared by every test in the run (started on first use, stopped at the end).
/// Tests get isolation from unique database and object names, not from separate servers; a test that
/// stops or breaks a server starts its own with <see cref="LocalCluster.StartAsync"/>.
/// With <c>IBEX_TEST_PG_MAJOR</c> set (16, 17, 18), they run that major version instead of the default (15): the
/// per-version smoke run in CI (<c>.ci/run</c>) runs a few core suites so. With <c>IBEX_TEST_PG_MAJORS</c> set to a
/// list (<c>15,18</c>), server i runs the (i mod n)-th version of the list: a scenario's first node (and the control
/// database) on the first, its second node on the second, and so on — the mixed-version runs in CI.
/// </summary>
public sealed class SharedClusters : IAsyncDisposable
{
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly LocalCluster?[] _clusters = new LocalCluster?[3];

    /// <summary>The shared cluster with the given index (0, 1 or 2).</summary>
    public async Task<LocalCluster> GetAsync(int index)
    {
        await _lock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _clusters[index] ??= MajorOf(index) is { } major
                ? await LocalCluster.StartAsync($"shared{index}", major, cancellationToken: CancellationToken.None)
                : await LocalCluster.StartAsync($"shared{index}", cancellationToken: CancellationToken.None);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The major version asked for with IBEX_TEST_PG_MAJOR, or null for the default installation.</summary>
    public static int? Major => Parse(Environment.GetEnvironmentVariable("IBEX_TEST_PG_MAJOR"));

    /// <summary>The versions listed in IBEX_TEST_PG_MAJORS (empty when unset): the mixed-version runs.</summary>
    public static IReadOnlyList<int> Majors { get; } = (Environment.GetEnvironmentVariable("IBEX_TEST_PG_MAJORS") ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(v => Parse(v) ?? throw new InvalidOperationException($"IBEX_TEST_PG_MAJORS: '{v}' is not a major version (write e.g. 15,18)"))
        .ToList();

    /// <summary>The major version shared server <paramref name="index"/> runs, or null for the default installation.</summary>
    public static int? MajorOf(int index) => Majors.Count > 0 ? Majors[index % Majors.Count] : Major;

    static int? Parse(string? value) => int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clusters)
            if (c is not null)
                await c.DisposeAsync();
        _lock.Dispose();
    }
}
