using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.ServiceDefaults.Kafka;
using Microsoft.Extensions.Options;

namespace EventDriven.Transactions.AccountCopy;

/// <summary>
/// Keeps the copy of account state current from <c>accounts.state</c> (fat events: the whole account after each change).
/// Partitions are assigned, not subscribed: the offsets live in PostgreSQL with the rows they produced, committed in
/// the same transaction, so a crash re-reads at most one batch and version gating makes that harmless. Where no offset
/// is stored yet, the configured <see cref="AccountStateBootstrap"/> decides where reading starts.
/// It is the one consumer outside the shared pipeline (<see cref="KafkaConsumerService"/>): it applies batches, not
/// messages, and its offsets are rows, not commits. What it can never read it parks the same way, in the same
/// <see cref="DeadLetterStore"/>.
/// </summary>
public sealed partial class AccountStateConsumer(
    [FromKeyedServices(AccountStateConsumer.ServiceKey)] IConsumer<string, byte[]> consumer,
    DeadLetterStore deadLetters,
    AccountCopyStore copy,
    AccountApiClient accounts,
    AccountCopyStart start,
    IOptions<AccountStateOptions> options,
    ILogger<AccountStateConsumer> logger) : BackgroundService
{
    public const string ServiceKey = "account-copy";
    public const string GroupId = "transactions-account-copy";

    /// <summary>What applying a state produces, as lineage names it.</summary>
    public const string CopyName = "account_copy";
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);
    private readonly AccountStateOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // librdkafka's Consume blocks: the loop runs on a thread of its own and waits for its database work there.
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    consumer.Assign(StartingOffsetsAsync(stoppingToken).GetAwaiter().GetResult());
                    start.Started.TrySetResult();
                    Follow(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database or the broker away: start again from the stored offsets.
                    LogFailed(logger, exception);
                    stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ConsumerClosing.CloseWithinBound(consumer, logger);
        }
    }

    /// <summary>The stored offsets; for partitions without one, where the bootstrap mode starts.</summary>
    private async Task<IReadOnlyList<TopicPartitionOffset>> StartingOffsetsAsync(CancellationToken cancellationToken)
    {
        var stored = (await copy.LoadOffsetsAsync(Topics.AccountState, cancellationToken)).ToDictionary(o => o.Partition);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(Topics.AccountState, BrokerTimeout).Topics.Single().Partitions
            .Select(p => new TopicPartition(Topics.AccountState, p.PartitionId))
            .ToList();
        var missing = partitions.Where(p => !stored.ContainsKey(p.Partition)).ToList();
        if (missing.Count == 0)
        {
            return [.. stored.Values];
        }

        var starts = _options.Mode switch
        {
            AccountStateBootstrap.Replay => missing.Select(p => new TopicPartitionOffset(p, Offset.Beginning)).ToList(),
            AccountStateBootstrap.Lazy => await StoreCurrentEndAsync(missing, cancellationToken),
            AccountStateBootstrap.Snapshot => await LoadExportAsync(missing, cancellationToken),
            var mode => throw new InvalidOperationException($"Unknown account state mode {mode}."),
        };
        LogBootstrap(logger, _options.Mode, string.Join(", ", starts.Select(o => $"{o.Partition.Value}@{o.Offset}")));
        return [.. stored.Values, .. starts];
    }

    /// <summary>
    /// Snapshot mode: Account's export, stored together with the offsets of the first messages timestamped within the
    /// replay window before it (so nothing committed after the export is missed; older ones the version gate ignores).
    /// </summary>
    private async Task<List<TopicPartitionOffset>> LoadExportAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var export = await accounts.ExportAsync(cancellationToken);
        var from = new Timestamp(export.TakenAt - _options.ReplayWindow);
        var offsets = consumer.OffsetsForTimes([.. partitions.Select(p => new TopicPartitionTimestamp(p, from))], BrokerTimeout)
            .Select(o => new TopicPartitionOffset(o.TopicPartition, o.Offset == Offset.End || o.Offset.Value < 0 ? Offset.End : o.Offset))
            .ToList();
        if (offsets.Any(o => o.Offset == Offset.End))
        {
            // "End" must not be stored: it would mean "wherever the end is when next read". Store the end as it is now.
            offsets = [.. offsets.Select(o => o.Offset == Offset.End ? new TopicPartitionOffset(o.TopicPartition, consumer.QueryWatermarkOffsets(o.TopicPartition, BrokerTimeout).High) : o)];
        }

        await copy.ApplyAsync(export.Accounts, offsets, cancellationToken);
        LogExportLoaded(logger, export.Accounts.Count, export.TakenAt);
        return offsets;
    }

    /// <summary>
    /// Lazy mode: the topic's end as it is now, stored before any account is fetched (see <see cref="AccountCopyStart"/>),
    /// so that every change after a fetch is read from the topic.
    /// </summary>
    private async Task<List<TopicPartitionOffset>> StoreCurrentEndAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var ends = partitions.Select(p => new TopicPartitionOffset(p, consumer.QueryWatermarkOffsets(p, BrokerTimeout).High)).ToList();
        await copy.ApplyAsync([], ends, cancellationToken);
        return ends;
    }

    private void Follow(CancellationToken stoppingToken)
    {
        var latest = new Dictionary<Guid, AccountSnapshot>();
        var next = new Dictionary<Partition, TopicPartitionOffset>();
        var lineage = new List<AppliedEvent>();
        while (!stoppingToken.IsCancellationRequested)
        {
            // A batch: what has arrived, up to the batch size; the first message may be waited for.
            var result = consumer.Consume(stoppingToken);
            for (var count = 0; result is not null && count < _options.BatchSize; count++)
            {
                if (ReadAsync(result, stoppingToken).GetAwaiter().GetResult() is { } state)
                {
                    if (!latest.TryGetValue(state.AccountId, out var held) || held.Version < state.Version)
                    {
                        latest[state.AccountId] = state;
                    }

                    if (Lineage(result, state) is { } applied)
                    {
                        lineage.Add(applied);
                    }
                }

                next[result.Partition] = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
                result = consumer.Consume(TimeSpan.Zero);
            }

            copy.ApplyAsync(latest.Values, next.Values, stoppingToken, lineage).GetAwaiter().GetResult();
            latest.Clear();
            next.Clear();
            lineage.Clear();
        }
    }

    /// <summary>
    /// The lineage of a state message, written with the copy in its transaction: the version it carried (the copy holds
    /// it, or a newer one). Messages without a CloudEvents id have none.
    /// </summary>
    private static AppliedEvent? Lineage(ConsumeResult<string, byte[]> result, AccountSnapshot state)
    {
        if (!Guid.TryParse(CloudEventHeaders.Read(result.Message.Headers, "ce_id"), out var eventId))
        {
            return null;
        }

        var traceId = KafkaTelemetry.ExtractContext(result.Message.Headers).TraceId;
        return new AppliedEvent(eventId, GroupId, result.Topic, result.Partition.Value, result.Offset.Value, DateTimeOffset.UtcNow,
            [new AppliedProduct(CopyName, state.Version)], traceId == default ? null : traceId.ToHexString());
    }

    /// <summary>
    /// The account after the change; null for a message re-driven for another consumer group, and for one that can
    /// never apply — not a readable state, or one the copy cannot hold (say a currency longer than its column) — which
    /// is parked: as one row of a batch, it would fail the whole batch on every retry and stall the copy.
    /// </summary>
    private async Task<AccountSnapshot?> ReadAsync(ConsumeResult<string, byte[]> result, CancellationToken cancellationToken)
    {
        if (DeadLetterStore.IsRedrivenForAnother(result, GroupId))
        {
            return null;
        }

        try
        {
            CloudEventHeaders.TypeOf(result);
            var state = ContractJson.Read<AccountStateChanged>(result.Message.Value).After ?? throw new JsonException("The message has no account state.");
            return AccountCopyStore.Holds(state) ? state : throw new InvalidDataException($"The account copy cannot hold account {state.AccountId} at version {state.Version} (id, currency, status or version out of range).");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await deadLetters.SendAsync(result, GroupId, exception, cancellationToken);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "Account copy starts ({Mode}) at {Offsets}")]
    private static partial void LogBootstrap(ILogger logger, AccountStateBootstrap mode, string offsets);

    [LoggerMessage(LogLevel.Information, "Account copy loaded {Count} accounts from Account's export taken at {TakenAt}")]
    private static partial void LogExportLoaded(ILogger logger, int count, DateTimeOffset takenAt);

    [LoggerMessage(LogLevel.Warning, "Account copy failed; resuming from its stored offsets")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
