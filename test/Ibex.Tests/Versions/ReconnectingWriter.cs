using System.Diagnostics;
using Npgsql;

namespace Ibex.Tests.Versions;

/// <summary>
/// An application writing through a switchover: a loop of single-row inserts on one of two databases; a failed
/// insert (session ended, database read-only, server gone) drops the session and tries the other one, as a client with
/// two hosts and <c>target_session_attrs=read-write</c> would. Records when each insert committed and where.
/// </summary>
public sealed class ReconnectingWriter(string insertSql, params string[] connectionStrings) : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<(TimeSpan At, int Host)> _commits = [];
    Task? _loop;

    public int Failures { get; private set; }


    public string? LastError { get; private set; }

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>Inserts committed on the given host (index into the connection strings).</summary>
    public int CommittedOn(int host)
    {
        lock (_commits)
            return _commits.Count(c => c.Host == host);
    }

    /// <summary>The longest time without a committed insert, from the last insert on <paramref name="from"/> to the first on another host.</summary>
    public TimeSpan LongestGapLeaving(int from)
    {
        lock (_commits)
        {
            var longest = TimeSpan.Zero;
            for (var i = 1; i < _commits.Count; i++)
                if (_commits[i - 1].Host == from && _commits[i].Host != from)
                    longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, (_commits[i].At - _commits[i - 1].At).Ticks));
            return longest;
        }
    }

    async Task LoopAsync()
    {
        var host = 0;
        NpgsqlConnection? conn = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                conn ??= await OpenAsync(connectionStrings[host], _stop.Token);
                await using (var cmd = new NpgsqlCommand(insertSql, conn))
                    await cmd.ExecuteNonQueryAsync(_stop.Token);
                lock (_commits)
                    _commits.Add((_clock.Elapsed, host));
                await Task.Delay(5, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                Failures++;
                LastError = e.Message;
                if (conn is not null)
                    await conn.DisposeAsync();
                conn = null;
                host = (host + 1) % connectionStrings.Length;
                await Task.Delay(2, CancellationToken.None);
            }
        }
        if (conn is not null)
            await conn.DisposeAsync();
    }

    static async Task<NpgsqlConnection> OpenAsync(string cs, CancellationToken cancellationToken)
    {
        var conn = new NpgsqlConnection(cs + ";Timeout=3");
        try
        {
            await conn.OpenAsync(cancellationToken);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the loop (waits for it); may be called more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is null)
            return;
        await _stop.CancelAsync();
        await _loop;
        _loop = null;
        _stop.Dispose();
    }
}
