using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>What <see cref="MultiMasterGroups"/> needs of its applier: the batch, sending it, and the target's position.</summary>
public interface IBatchSender
{
    ApplyBatch Batch { get; }

    /// <summary>Every source transaction committed before this LSN is on the target.</summary>
    NpgsqlLogSequenceNumber Position { get; }

    /// <summary>Sends the first <paramref name="count"/> statements; a failed row guard is thrown as <see cref="RowGuardException"/>.</summary>
    Task SendAsync(int count, CancellationToken cancellationToken);

    /// <summary>Sends everything that can go now.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
