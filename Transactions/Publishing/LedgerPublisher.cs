using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.Contracts.Transactions;
using EventDriven.KurrentDB.Client;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Postgres;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.Publishing;

/// <summary>
/// Publishes every ledger event to <c>transactions.events</c>, as its contract record (<see cref="LedgerContracts"/>):
/// "stored, then emitted", with no event stored but never published. A catch-up subscription on <c>$all</c>, filtered
/// to ledger streams, starts after the durable checkpoint; events are produced in order (idempotent producer, key =
/// account id) and the checkpoint moves only past events Kafka acknowledged, with every event before them. A crash
/// anywhere re-publishes from the checkpoint — at least once, same event ids — and consumers deduplicate. One instance
/// publishes at a time (an advisory lock), another takes over.
/// </summary>
public sealed partial class LedgerPublisher : BackgroundService
{
    public const long LeadershipLockKey = 0x4c6564676572; // "Ledger"
    private readonly KurrentDBClient _client;
    private readonly IProducer<string, byte[]> _producer;
    private readonly PublisherCheckpoints _checkpoints;
    private readonly TransactionsServices.TransactionsDatabase _database;
    private readonly PublisherOptions _options;
    private readonly LineageRecorder _lineage;
    private readonly ILogger<LedgerPublisher> _logger;
    private readonly Counter<long> _published;
    private readonly Histogram<double> _lag;

    public LedgerPublisher(
        KurrentDBClient client,
        IProducer<string, byte[]> producer,
        PublisherCheckpoints checkpoints,
        TransactionsServices.TransactionsDatabase database,
        IOptions<PublisherOptions> options,
        LineageRecorder lineage,
        IMeterFactory meters,
        ILogger<LedgerPublisher> logger)
    {
        (_client, _producer, _checkpoints, _database, _options, _lineage, _logger) = (client, producer, checkpoints, database, options.Value, lineage, logger);
        var meter = meters.Create(TransactionsTelemetry.Name);
        _published = meter.CreateCounter<long>("transactions.publisher.published", "{event}", "Ledger events acknowledged by Kafka.");
        _lag = meter.CreateHistogram<double>("transactions.publisher.lag", "ms", "From the event's append (KurrentDB's created time) to Kafka's acknowledgement.");
    }

    private static readonly TimeSpan FinalCheckpointBound = TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresLeadership.LeadWhileRunningAsync(_database.ConnectionString, LeadershipLockKey, leading =>
        {
            LogLeading(_logger);
            return PublishAsync(leading);
        }, exception => LogFailed(_logger, exception), _options.RetryDelay, stoppingToken);

    /// <summary>Publishes from the checkpoint until cancelled or until a produce fails; the caller starts again from the checkpoint.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await _checkpoints.LoadAsync(_options.CheckpointName, cancellationToken);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.MaxInFlight) { SingleReader = true, SingleWriter = true });
        var confirming = ConfirmInOrderAsync(pending.Reader, failed);
        try
        {
            using var subscription = _client.SubscribeToAll(
                checkpoint is { } position ? FromAll.After(position) : FromAll.Start,
                filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(LedgerStore.StreamPrefix)),
                cancellationToken: failed.Token);
            await foreach (var message in subscription.Messages.WithCancellation(failed.Token))
            {
                var next = message switch
                {
                    StreamMessage.Event { ResolvedEvent: var resolved } => new Pending(resolved.OriginalPosition!.Value, ProduceAsync(resolved, failed.Token)),
                    StreamMessage.AllStreamCheckpointReached reached => new Pending(reached.Position, Task.CompletedTask),
                    _ => null,
                };
                if (next is not null)
                {
                    await pending.Writer.WriteAsync(next, failed.Token);
                }
            }
        }
        finally
        {
            pending.Writer.TryComplete();
            await confirming.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await confirming; // The produce failure that stopped publishing, if that is what stopped it.
    }

    private async Task ProduceAsync(ResolvedEvent resolved, CancellationToken cancellationToken)
    {
        // The span continues the trace of the request that appended the event; the Kafka send span is its child.
        using var activity = KurrentDBTelemetry.StartProcess(resolved, "publisher");
        var record = resolved.Event;
        var recorded = LedgerEventSerializer.Deserialize(record);
        var contract = LedgerContracts.ToContract(recorded);
        var accountId = contract.AccountId.ToString();
        var created = new DateTimeOffset(record.Created, TimeSpan.Zero);
        var delivered = await _producer.ProduceAsync(Topics.TransactionEvents, new Message<string, byte[]>
        {
            Key = accountId,
            Value = JsonSerializer.SerializeToUtf8Bytes(contract, contract.GetType(), ContractJson.Options),
            Timestamp = new Timestamp(created),
            Headers = CloudEventHeaders.Create(contract.EventId, LedgerEventTypes.TypeOf(contract), LedgerEventTypes.Source, created, accountId, recorded.Actor),
        }, cancellationToken).ConfigureAwait(false);
        _published.Add(1);
        var now = DateTimeOffset.UtcNow;
        _lag.Record((now - created).TotalMilliseconds);

        // Its lineage, by the id consumers see (ce_id, the contract's id; the ledger stores the event under the same id).
        var traceId = activity?.TraceId ?? KurrentDBTelemetry.ExtractContext(record.Metadata).TraceId;
        _lineage.Published(new PublishedEvent(contract.EventId, EventStorage.LedgerEvent(record.EventStreamId, record.EventNumber.ToInt64()),
            Topics.TransactionEvents, delivered.Partition.Value, delivered.Offset.Value, now, traceId == default ? null : traceId.ToHexString()));
    }

    /// <summary>Moves the checkpoint past each position once its produce (and every one before) was acknowledged.</summary>
    private async Task ConfirmInOrderAsync(ChannelReader<Pending> pending, CancellationTokenSource failed)
    {
        Position? acknowledged = null;
        var saved = DateTime.UtcNow;
        try
        {
            await foreach (var next in pending.ReadAllAsync(CancellationToken.None))
            {
                await next.Produced;
                acknowledged = next.Position;
                if (pending.Count == 0 || DateTime.UtcNow - saved >= _options.CheckpointInterval)
                {
                    await _checkpoints.SaveAsync(_options.CheckpointName, next.Position, CancellationToken.None);
                    saved = DateTime.UtcNow;
                    acknowledged = null;
                }
            }
        }
        catch
        {
            // A produce failed (or the checkpoint could not be written): stop reading; the loop restarts from the checkpoint.
            await failed.CancelAsync();
            throw;
        }
        finally
        {
            if (acknowledged is { } last)
            {
                // Saves re-sending what was acknowledged, no more: bounded, so a stop with PostgreSQL away stays prompt.
                using var bound = new CancellationTokenSource(FinalCheckpointBound);
                await _checkpoints.SaveAsync(_options.CheckpointName, last, bound.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private sealed record Pending(Position Position, Task Produced);

    [LoggerMessage(LogLevel.Information, "This instance publishes the ledger events")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Publishing stopped; resuming from the checkpoint")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Bound from <c>Transactions:Publisher</c>.</summary>
public sealed class PublisherOptions
{
    public bool Enabled { get; set; } = true;

    public string CheckpointName { get; set; } = "transactions.events";

    /// <summary>How many events may await Kafka's acknowledgement at once.</summary>
    public int MaxInFlight { get; set; } = 10_000;

    /// <summary>While busy, the checkpoint is written at most this often (and always when the publisher has caught up).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
