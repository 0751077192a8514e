using System.Globalization;
using Confluent.Kafka;
using MassTransit;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Where and when a consumed message was delivered: its topic, partition and offset, and the time Kafka gives it (the
/// producer's create time, or the broker's append time). The pipeline sends these as headers with each message it
/// dispatches through the mediator, so a handler that reports what it applied can say where it came from
/// (<see cref="From"/>) without the contracts carrying transport facts.
/// </summary>
public sealed record KafkaDelivery(string Topic, int Partition, long Offset, DateTimeOffset? Timestamp)
{
    private const string TopicHeader = "kafka-topic";
    private const string PartitionHeader = "kafka-partition";
    private const string OffsetHeader = "kafka-offset";
    private const string TimestampHeader = "kafka-timestamp";

    /// <summary>The delivery of the message a handler consumes; null when it did not come through the pipeline.</summary>
    public static KafkaDelivery? From(ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Headers;
        if (headers.Get<string>(TopicHeader) is not { } topic
            || !int.TryParse(headers.Get<string>(PartitionHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(headers.Get<string>(OffsetHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return null;
        }

        DateTimeOffset? timestamp = long.TryParse(headers.Get<string>(TimestampHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : null;
        return new KafkaDelivery(topic, partition, offset, timestamp);
    }

    /// <summary>Puts a consumed message's delivery on the mediator's send, as text headers (what any transport keeps).</summary>
    internal static Action<SendContext> Stamp(ConsumeResult<string, byte[]> result) => context =>
    {
        context.Headers.Set(TopicHeader, result.Topic);
        context.Headers.Set(PartitionHeader, result.Partition.Value.ToString(CultureInfo.InvariantCulture));
        context.Headers.Set(OffsetHeader, result.Offset.Value.ToString(CultureInfo.InvariantCulture));
        if (result.Message.Timestamp.Type != TimestampType.NotAvailable)
        {
            context.Headers.Set(TimestampHeader, result.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture));
        }
    };
}
