using Ibex.Local;

[assembly: AssemblyFixture(typeof(Ibex.Tests.Infrastructure.SharedClusters))]

namespace Ibex.Tests.Infrastructure;

/// <summary>
/// Three PostgreSQL clusters shared by every test in the run (started on first use, stopped at the end).
/// Tests get isolation from unique database and object names, not from separate servers; a test that
/// stops or breaks a server starts its own with <see cref="LocalCluster.StartAsync"/>.
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
            return _clusters[index] ??= await LocalCluster.StartAsync($"shared{index}", cancellationToken: CancellationToken.None);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clusters)
            if (c is not null)
                await c.DisposeAsync();
        _lock.Dispose();
    }
}
