using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Status;

/// <summary>
/// One Kafka consumer of a service and how far it is behind: per partition, the offset it has committed (where it
/// starts after a restart), where this instance is reading (when the partition is assigned here), and the high
/// watermark (the offset the next message will get). Lag is high watermark minus committed offset: messages on the
/// topic that the consumer has not yet made durable.
/// </summary>
public sealed record ConsumerLag(string Name, string GroupId, long Lag, IReadOnlyList<PartitionLag> Partitions);

/// <param name="Committed">The committed offset (the next to read after a restart); null when the group has none yet.</param>
/// <param name="Position">Where this instance reads next; null when the partition is not assigned to it, or it has read nothing from it yet.</param>
/// <param name="HighWatermark">The offset the next message on the partition will get.</param>
/// <param name="Lag">Messages not yet committed: from the committed offset (or, without one, from the oldest message still held) to the high watermark.</param>
public sealed record PartitionLag(string Topic, int Partition, long? Committed, long? Position, long HighWatermark, long Lag);

/// <summary>A consumer whose lag <c>GET /status/consumers</c> reports; every service registers one per consumer it runs.</summary>
public interface IConsumerLagSource
{
    Task<ConsumerLag> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Reads watermarks and positions of partitions through a consumer's handle.</summary>
public static class PartitionLags
{
    public static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs librdkafka's blocking calls off the request's thread; a broker that does not answer becomes a
    /// <see cref="TimeoutException"/>, which the service API answers with 503.
    /// </summary>
    public static Task<T> Ask<T>(Func<T> ask, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            try
            {
                return ask();
            }
            catch (KafkaException exception)
            {
                throw new TimeoutException($"The broker did not answer: {exception.Error.Reason}", exception);
            }
        }, cancellationToken);

    /// <summary>Every partition of <paramref name="topics"/>, as the broker's metadata lists them.</summary>
    public static IReadOnlyList<TopicPartition> PartitionsOf(IClient client, IEnumerable<string> topics)
    {
        using var admin = new DependentAdminClientBuilder(client.Handle).Build();
        return [.. topics.SelectMany(topic => admin.GetMetadata(topic, BrokerTimeout).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))))];
    }

    /// <summary>
    /// The lag of each partition from its committed offset (from <paramref name="committed"/>; missing or negative:
    /// none), with this consumer's reading position where it has the partition assigned.
    /// </summary>
    public static IReadOnlyList<PartitionLag> Measure(IConsumer<string, byte[]> consumer, IReadOnlyList<TopicPartition> partitions, IReadOnlyDictionary<TopicPartition, long> committed)
    {
        var assigned = consumer.Assignment.ToHashSet();
        return [.. partitions.Select(partition =>
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, BrokerTimeout);
            long? done = committed.TryGetValue(partition, out var offset) && offset >= 0 ? offset : null;
            long? position = null;
            if (assigned.Contains(partition) && consumer.Position(partition) is { } at && at.Value >= 0)
            {
                position = at.Value;
            }

            var from = Math.Max(done ?? watermarks.Low.Value, watermarks.Low.Value);
            return new PartitionLag(partition.Topic, partition.Partition.Value, done, position, watermarks.High.Value, Math.Max(0, watermarks.High.Value - from));
        })];
    }
}
