using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Reactor.Reconciliation;

/// <summary>
/// The latest account state per key on <c>accounts.state</c> (the compacted event-carried-state topic): every
/// partition read from what it still holds to the end offset it had when the read began, with an assigned consumer
/// that joins no group and commits nothing, so no consumer group notices. One read at a time (the consumer is one).
/// </summary>
public sealed partial class AccountStateTopicReader(
    [FromKeyedServices(AccountStateTopicReader.ConsumerKey)] IConsumer<string, byte[]> consumer, ILogger<AccountStateTopicReader> logger) : IDisposable
{
    public const string ConsumerKey = "reconciliation";
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>The latest readable state of each account on the topic, by account id.</summary>
    public async Task<IReadOnlyDictionary<Guid, AccountSnapshot>> ReadAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            // librdkafka's calls block: off the request's thread.
            return await Task.Run(() => Read(cancellationToken), cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private Dictionary<Guid, AccountSnapshot> Read(CancellationToken cancellationToken)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(Topics.AccountState, BrokerTimeout).Topics.Single().Partitions
            .Select(p => new TopicPartition(Topics.AccountState, p.PartitionId)).ToList();
        var watermarks = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, BrokerTimeout));
        var next = watermarks.ToDictionary(w => w.Key, w => w.Value.Low.Value);
        var ends = watermarks.ToDictionary(w => w.Key, w => w.Value.High.Value);
        var latest = new Dictionary<Guid, AccountSnapshot>();
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        try
        {
            var lastProgress = DateTime.UtcNow;
            while (partitions.Any(p => next[p] < ends[p]))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { Message: { } message } result)
                {
                    if (DateTime.UtcNow - lastProgress > StallTimeout)
                    {
                        throw new TimeoutException($"{Topics.AccountState} gave no message for {StallTimeout.TotalSeconds:0} s before its end offsets.");
                    }

                    continue;
                }

                lastProgress = DateTime.UtcNow;
                next[result.TopicPartition] = result.Offset.Value + 1;
                if (result.Offset.Value >= ends[result.TopicPartition])
                {
                    // Written after the read began: the next run sees it.
                    continue;
                }

                Keep(latest, message, result.TopicPartitionOffset);
            }
        }
        finally
        {
            consumer.Unassign();
        }

        return latest;
    }

    /// <summary>A message's state replaces an older one held for its account; a tombstone removes it.</summary>
    private void Keep(Dictionary<Guid, AccountSnapshot> latest, Message<string, byte[]> message, TopicPartitionOffset at)
    {
        if (message.Value is null)
        {
            if (Guid.TryParse(message.Key, out var removed))
            {
                latest.Remove(removed);
            }

            return;
        }

        try
        {
            CloudEventHeaders.TypeOf(new ConsumeResult<string, byte[]> { Message = message });
            var changed = ContractJson.Read<AccountStateChanged>(message.Value);
            var state = changed.After ?? throw new System.Text.Json.JsonException("The message has no account state.");
            // The newest version, not the last message: a re-driven message puts an older state after newer ones.
            if (!latest.TryGetValue(changed.AccountId, out var held) || held.Version < state.Version)
            {
                latest[changed.AccountId] = state;
            }
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidDataException)
        {
            // Not a state (Reactor's consumer parks such a message): it says nothing of any account.
            LogUnreadable(logger, at.Topic, at.Partition.Value, at.Offset.Value);
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    [LoggerMessage(LogLevel.Information, "Reconciliation skips the unreadable message at {Topic} [{Partition}] @{Offset}")]
    private static partial void LogUnreadable(ILogger logger, string topic, int partition, long offset);
}
