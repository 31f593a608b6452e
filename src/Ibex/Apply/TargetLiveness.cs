using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// Notices a target that went away while nothing was being applied: an idle apply session is asked <c>SELECT 1</c>
/// every <see cref="CheckEvery"/> (the stream's idle markers give the cue), bounded by <see cref="Timeout"/>, so a
/// stopped or unreachable target turns the link <c>down</c> within seconds instead of at the next source write.
/// </summary>
public sealed class TargetLiveness(string targetName)
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(4);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    DateTime _lastContact = DateTime.UtcNow;

    /// <summary>The session just answered (a batch, a commit, a check).</summary>
    public void Answered() => _lastContact = DateTime.UtcNow;

    /// <summary>Checks the session if it has been quiet for <see cref="CheckEvery"/>; throws when it does not answer.</summary>
    public async Task CheckIfQuietAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        if (DateTime.UtcNow - _lastContact < CheckEvery)
            return;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", conn);
            await cmd.ExecuteScalarAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApplyException($"target '{targetName}': no answer within {Timeout.TotalSeconds:0} s while idle; is it reachable?", true);
        }
        Answered();
    }
}
