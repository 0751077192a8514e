using Confluent.Kafka;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// A producer that opens a <c>send</c> span per message and carries its trace context in the message headers.
/// Everything else is passed to the inner librdkafka producer unchanged.
/// </summary>
internal sealed class TracingProducer<TKey, TValue>(IProducer<TKey, TValue> inner) : IProducer<TKey, TValue>
{
    public Handle Handle => inner.Handle;

    public string Name => inner.Name;

    public async Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        await ProduceAsync(new TopicPartition(topic, Partition.Any), message, cancellationToken).ConfigureAwait(false);

    public async Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        using var activity = KafkaTelemetry.StartSend(topicPartition.Topic, message, inner.Name);
        try
        {
            var result = await inner.ProduceAsync(topicPartition, message, cancellationToken).ConfigureAwait(false);
            KafkaTelemetry.RecordDelivery(activity, result.TopicPartitionOffset);
            return result;
        }
        catch (Exception exception)
        {
            KafkaTelemetry.RecordError(activity, exception);
            throw;
        }
    }

    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null) =>
        Produce(new TopicPartition(topic, Partition.Any), message, deliveryHandler);

    public void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        // The span lasts until librdkafka reports the delivery, as the async path does.
        var activity = KafkaTelemetry.StartSend(topicPartition.Topic, message, inner.Name);
        try
        {
            inner.Produce(topicPartition, message, report =>
            {
                if (report.Error.IsError)
                {
                    KafkaTelemetry.RecordError(activity, new ProduceException<TKey, TValue>(report.Error, report));
                }
                else
                {
                    KafkaTelemetry.RecordDelivery(activity, report.TopicPartitionOffset);
                }

                activity?.Dispose();
                deliveryHandler?.Invoke(report);
            });
        }
        catch (Exception exception)
        {
            KafkaTelemetry.RecordError(activity, exception);
            activity?.Dispose();
            throw;
        }
    }

    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);

    public int Poll(TimeSpan timeout) => inner.Poll(timeout);

    public int Flush(TimeSpan timeout) => inner.Flush(timeout);

    public void Flush(CancellationToken cancellationToken = default) => inner.Flush(cancellationToken);

    public void InitTransactions(TimeSpan timeout) => inner.InitTransactions(timeout);

    public void BeginTransaction() => inner.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout) => inner.CommitTransaction(timeout);

    public void CommitTransaction() => inner.CommitTransaction();

    public void AbortTransaction(TimeSpan timeout) => inner.AbortTransaction(timeout);

    public void AbortTransaction() => inner.AbortTransaction();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        inner.SendOffsetsToTransaction(offsets, groupMetadata, timeout);

    public void Dispose() => inner.Dispose();
}
