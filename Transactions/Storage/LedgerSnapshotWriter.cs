using System.Threading.Channels;
using EventDriven.Transactions.Domain;

namespace EventDriven.Transactions.Storage;

/// <summary>
/// Writes the snapshots the store asks for, off the command's path, in the host's lifetime: a bounded queue drained by
/// this hosted service. A command never waits for a snapshot (a long ledger's is megabytes); when the queue is full
/// the snapshot is skipped, and on shutdown the write under way is cancelled and what is queued is dropped. Either
/// costs only reading time later: snapshots are a cache, the events remain the truth.
/// </summary>
public sealed class LedgerSnapshotWriter(PendingSnapshots pending, LedgerStore store) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var ledger in pending.Reader.ReadAllAsync(stoppingToken))
            {
                await store.SaveSnapshotAsync(ledger, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>The snapshots waiting for <see cref="LedgerSnapshotWriter"/>.</summary>
public sealed class PendingSnapshots
{
    /// <summary>Enough for bursts across many ledgers; each is a reference to an immutable ledger, not a copy.</summary>
    public const int Capacity = 64;

    private readonly Channel<Ledger> _channel = Channel.CreateBounded<Ledger>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<Ledger> Reader => _channel.Reader;

    /// <summary>Queues a snapshot of <paramref name="ledger"/>; false when the queue is full and it is skipped.</summary>
    public bool TryEnqueue(Ledger ledger) => _channel.Writer.TryWrite(ledger);
}
