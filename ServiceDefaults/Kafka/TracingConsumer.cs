using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// A consumer that records a <c>receive</c> span, continuing the producer's trace, for every message it hands out.
/// Handlers open their own <c>process</c> span with <see cref="KafkaTelemetry.StartProcess{TKey,TValue}"/>.
/// </summary>
internal sealed class TracingConsumer<TKey, TValue>(IConsumer<TKey, TValue> inner, string? groupId) : IConsumer<TKey, TValue>
{
    public Handle Handle => inner.Handle;

    /// <summary>Read once: librdkafka's handle is gone after <see cref="Close"/>, and the name is still wanted then (Dispose).</summary>
    private readonly string _name = inner.Name;

    public string Name => _name;

    public string MemberId => inner.MemberId;

    public List<TopicPartition> Assignment => inner.Assignment;

    public List<string> Subscription => inner.Subscription;

    public IConsumerGroupMetadata ConsumerGroupMetadata => inner.ConsumerGroupMetadata;

    public ConsumeResult<TKey, TValue> Consume(int millisecondsTimeout) => Traced(inner.Consume(millisecondsTimeout));

    public ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken = default) => Traced(inner.Consume(cancellationToken));

    public ConsumeResult<TKey, TValue> Consume(TimeSpan timeout) => Traced(inner.Consume(timeout));

    private ConsumeResult<TKey, TValue> Traced(ConsumeResult<TKey, TValue> result)
    {
        if (result is { IsPartitionEOF: false, Message: not null })
        {
            KafkaTelemetry.RecordReceive(result, groupId, _name);
        }

        return result;
    }

    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);

    public void Subscribe(IEnumerable<string> topics) => inner.Subscribe(topics);

    public void Subscribe(string topic) => inner.Subscribe(topic);

    public void Unsubscribe() => inner.Unsubscribe();

    public void Assign(TopicPartition partition) => inner.Assign(partition);

    public void Assign(TopicPartitionOffset partition) => inner.Assign(partition);

    public void Assign(IEnumerable<TopicPartitionOffset> partitions) => inner.Assign(partitions);

    public void Assign(IEnumerable<TopicPartition> partitions) => inner.Assign(partitions);

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions) => inner.IncrementalAssign(partitions);

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions) => inner.IncrementalAssign(partitions);

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions) => inner.IncrementalUnassign(partitions);

    public void Unassign() => inner.Unassign();

    public void StoreOffset(ConsumeResult<TKey, TValue> result) => inner.StoreOffset(result);

    public void StoreOffset(TopicPartitionOffset offset) => inner.StoreOffset(offset);

    public List<TopicPartitionOffset> Commit() => inner.Commit();

    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => inner.Commit(offsets);

    public void Commit(ConsumeResult<TKey, TValue> result) => inner.Commit(result);

    public void Seek(TopicPartitionOffset tpo) => inner.Seek(tpo);

    public void Pause(IEnumerable<TopicPartition> partitions) => inner.Pause(partitions);

    public void Resume(IEnumerable<TopicPartition> partitions) => inner.Resume(partitions);

    public List<TopicPartitionOffset> Committed(TimeSpan timeout) => inner.Committed(timeout);

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) => inner.Committed(partitions, timeout);

    public Offset Position(TopicPartition partition) => inner.Position(partition);

    public List<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout) =>
        inner.OffsetsForTimes(timestampsToSearch, timeout);

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition) => inner.GetWatermarkOffsets(topicPartition);

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout) => inner.QueryWatermarkOffsets(topicPartition, timeout);

    public void Close() => inner.Close();

    public void Dispose()
    {
        // Destroying the client would wait for the close that was given up on (see ConsumerClosing); the process is
        // stopping, and its end frees the client.
        if (!ConsumerClosing.WasAbandoned(_name))
        {
            inner.Dispose();
        }
    }
}
