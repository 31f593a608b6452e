using Ibex.Apply;
using Ibex.Control.Model;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>The live state of one link (source → target) inside a running pipeline, read by the status publisher.</summary>
public sealed class LinkRuntime(LinkRecord link)
{
    readonly object _lock = new();
    TargetApplier? _applier;
    NpgsqlLogSequenceNumber _lastPosition;
    string? _recordedError;
    bool _recovered = true;
    long _transactionsAtAttach;
    DateTime _attachedAt;

    /// <summary>A link attached this long without failing counts as working again, even with nothing to apply.</summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(5);

    public LinkRecord Link { get; } = link;

    public LinkCounters Counters { get; } = new();

    public Backoff Backoff { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public volatile bool Live;

    public string State { get; private set; } = "starting";

    public string? Error { get; private set; }

    long _failures;

    /// <summary>How many times applying on this link failed (target down or change rejected), since the daemon started.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>When the link stopped applying (down or in error); null while streaming.</summary>
    public DateTime? DownSince { get; private set; }

    /// <summary>
    /// Set by <see cref="Fail"/> when the error differs from the last one recorded since the link last worked: a target
    /// that rejects the same change at every retry is recorded once, not once per retry.
    /// </summary>
    public bool ErrorIsNew { get; set; }

    public TargetApplier? Applier
    {
        get
        {
            lock (_lock)
                return _applier;
        }
    }

    public NpgsqlLogSequenceNumber Position
    {
        get
        {
            lock (_lock)
            {
                if (_applier is not null && _applier.Position > _lastPosition)
                    _lastPosition = _applier.Position;
                return _lastPosition;
            }
        }
    }

    public void Attach(TargetApplier applier)
    {
        lock (_lock)
        {
            _applier = applier;
            if (applier.Position > _lastPosition)
                _lastPosition = applier.Position;
            Live = true;
            State = "streaming";
            // The error stays until the link works again (CheckRecovered): a link that fails each time it is back is
            // still failing while it is attached.
            DownSince = null;
            _recovered = false;
            _transactionsAtAttach = Counters.Transactions;
            _attachedAt = DateTime.UtcNow;
        }
    }

    /// <summary>
    /// Called periodically while the pipeline runs: true once, when a link attached after a failure is working again
    /// (it committed a transaction, or stayed attached for <see cref="HealthyAfter"/>). Its backoff then starts over
    /// and a repeat of the old error is recorded again.
    /// </summary>
    public bool CheckRecovered(DateTime now)
    {
        lock (_lock)
        {
            if (_recovered || !Live || (Counters.Transactions == _transactionsAtAttach && now - _attachedAt < HealthyAfter))
                return false;
            _recovered = true;
            _recordedError = null;
            Error = null;
            Backoff.Reset();
            return true;
        }
    }

    public void SetState(string state)
    {
        lock (_lock)
            State = state;
    }

    /// <summary>Takes the applier out of the stream after a failure; its last position is kept for acknowledgements.</summary>
    public TargetApplier? Fail(ApplyException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_lock)
        {
            Live = false;
            if (_applier is not null && _applier.Position > _lastPosition)
                _lastPosition = _applier.Position;
            var old = _applier;
            _applier = null;
            Interlocked.Increment(ref _failures);
            State = e.LinkState ?? (e.TargetUnreachable ? "down" : "error");
            DownSince ??= DateTime.UtcNow;
            ErrorIsNew = _recordedError != e.Message;
            _recordedError = e.Message;
            Error = e.Message;
            return old;
        }
    }

    public void Detach()
    {
        lock (_lock)
        {
            if (_applier is not null && _applier.Position > _lastPosition)
                _lastPosition = _applier.Position;
            _applier = null;
            Live = false;
        }
    }
}
