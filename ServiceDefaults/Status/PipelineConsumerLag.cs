using Confluent.Kafka;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.ServiceDefaults.Status;

/// <summary>
/// The lag of the service's shared pipeline consumer (<see cref="KafkaConsumerService"/>), group-wide: the group's
/// committed offsets for every partition of the topics it reads, whichever instance has them. Offsets are committed
/// about once a second after the messages were applied, so a consumer that is keeping up shows a lag of a second's
/// messages at most.
/// </summary>
public sealed class PipelineConsumerLag(IConsumer<string, byte[]> consumer, IMessageReader reader, ConsumerPipeline pipeline) : IConsumerLagSource
{
    public Task<ConsumerLag> ReadAsync(CancellationToken cancellationToken) =>
        PartitionLags.Ask(() =>
        {
            var partitions = PartitionLags.PartitionsOf(consumer, reader.Topics);
            var committed = consumer.Committed(partitions, PartitionLags.BrokerTimeout).ToDictionary(o => o.TopicPartition, o => o.Offset.Value);
            var lags = PartitionLags.Measure(consumer, partitions, committed);
            return new ConsumerLag("pipeline", pipeline.GroupId, lags.Sum(l => l.Lag), lags);
        }, cancellationToken);
}
