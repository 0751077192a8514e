using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EventDriven.Contracts.Reconciliation;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.Transfers;

/// <summary>
/// The transfers under way, in memory, as <see cref="TransfersUnderWayTracker"/> last committed them, and the gauges read
/// from it: how many, the age of the oldest, how many are older than <see cref="TransfersUnderWayOptions.OverdueAfter"/>.
/// A scrape looks at this small set only (never at a ledger). Only the instance that tracks reports: the others would
/// repeat its figures, or, before they lead, report nothing true.
/// </summary>
public sealed class TransfersUnderWay
{
    private readonly ConcurrentDictionary<(Guid From, Guid TransactionId), TransferUnderWay> _transfers = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _overdueAfter;
    private volatile bool _tracking;

    public TransfersUnderWay(IMeterFactory meters, TimeProvider time, IOptions<TransfersUnderWayOptions> options)
    {
        (_time, _overdueAfter) = (time, options.Value.OverdueAfter);
        var meter = meters.Create(TransactionsTelemetry.Name);
        meter.CreateObservableGauge("transactions.transfers.under_way", () => Observe(s => s.Count), "{transfer}",
            "Transfers debited from their source and neither completed nor refunded yet.");
        meter.CreateObservableGauge("transactions.transfers.under_way.oldest_age", () => Observe(s => s.OldestAge.TotalSeconds), "s",
            "How long the oldest transfer under way has been (0 when none is).");
        meter.CreateObservableGauge("transactions.transfers.overdue", () => Observe(s => s.Overdue), "{transfer}",
            "Transfers under way for longer than Transactions:TransfersUnderWay:OverdueAfter.");
    }

    /// <summary>The figures now; null when this instance does not track them (another one does, or none yet).</summary>
    public TransfersUnderWaySummary? Summarize()
    {
        if (!_tracking)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var (count, overdue, oldest) = (0, 0, (DateTimeOffset?)null);
        foreach (var transfer in _transfers.Values)
        {
            count++;
            overdue += now - transfer.StartedAt > _overdueAfter ? 1 : 0;
            oldest = oldest is { } o && o <= transfer.StartedAt ? o : transfer.StartedAt;
        }

        return new(count, oldest is { } started && started < now ? now - started : TimeSpan.Zero, overdue);
    }

    /// <summary>Whether this transfer is under way, as last committed (for tests and the figures).</summary>
    public bool Contains(Guid fromAccountId, Guid transactionId) => _transfers.ContainsKey((fromAccountId, transactionId));

    /// <summary>Tracking starts (this instance leads) from what the table holds.</summary>
    internal void Start(IEnumerable<TransferUnderWay> transfers)
    {
        _transfers.Clear();
        foreach (var transfer in transfers)
        {
            _transfers[(transfer.FromAccountId, transfer.TransactionId)] = transfer;
        }

        _tracking = true;
    }

    internal void Started(TransferUnderWay transfer) => _transfers[(transfer.FromAccountId, transfer.TransactionId)] = transfer;

    internal void Ended(Guid fromAccountId, Guid transactionId) => _transfers.TryRemove((fromAccountId, transactionId), out _);

    /// <summary>Tracking stopped (leadership lost, or the service stops): the figures are no longer this instance's to give.</summary>
    internal void Stop()
    {
        _tracking = false;
        _transfers.Clear();
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<TransfersUnderWaySummary, T> figure) where T : struct =>
        Summarize() is { } summary ? [new Measurement<T>(figure(summary))] : [];
}

/// <summary>How many transfers are under way, how long the oldest has been, and how many are overdue.</summary>
public sealed record TransfersUnderWaySummary(int Count, TimeSpan OldestAge, int Overdue);

/// <summary>Bound from <c>Transactions:TransfersUnderWay</c>.</summary>
public sealed class TransfersUnderWayOptions
{
    /// <summary>A transfer under way for longer than this is counted as overdue (a choreography step stuck or lost).</summary>
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>While events that start or end no transfer go by, the tracked position is saved at most this often.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
