using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// librdkafka statistics (the JSON it emits every <c>statistics.interval.ms</c>) exposed as OpenTelemetry metrics,
/// one series per client, with the instrument names and statistics fields of Aspire.Confluent.Kafka's statistics-based metrics.
/// </summary>
public sealed class KafkaMetrics : IDisposable
{
    private readonly ConcurrentDictionary<string, Snapshot> _latest = new();
    private readonly Meter _meter;

    public KafkaMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(KafkaTelemetry.MeterName);
        _meter.CreateObservableGauge("messaging.kafka.consumer.queue.message_count", () => Observe(s => s.ReplyQueue, consumers: true),
            "{message}", "Operations (callbacks, events, etc.) waiting in the consumer queue.");
        _meter.CreateObservableGauge("messaging.kafka.producer.queue.message_count", () => Observe(s => s.MessageCount, consumers: false),
            "{message}", "Messages waiting in the producer queues.");
        _meter.CreateObservableGauge("messaging.kafka.producer.queue.size", () => Observe(s => s.MessageSize, consumers: false),
            "By", "Total size of the messages waiting in the producer queues.");
        _meter.CreateObservableCounter("messaging.kafka.network.tx", () => Observe(s => s.Tx), "{request}", "Requests sent to brokers.");
        _meter.CreateObservableCounter("messaging.kafka.network.transmitted", () => Observe(s => s.TxBytes), "By", "Bytes sent to brokers.");
        _meter.CreateObservableCounter("messaging.kafka.network.rx", () => Observe(s => s.Rx), "{response}", "Responses received from brokers.");
        _meter.CreateObservableCounter("messaging.kafka.network.received", () => Observe(s => s.RxBytes), "By", "Bytes received from brokers.");
        _meter.CreateObservableCounter("messaging.publish.messages", () => Observe(s => s.TxMessages), "{message}", "Messages sent to brokers.");
        _meter.CreateObservableCounter("messaging.kafka.message.transmitted", () => Observe(s => s.TxMessageBytes), "By", "Message bytes (key and value) sent to brokers.");
        _meter.CreateObservableCounter("messaging.receive.messages", () => Observe(s => s.RxMessages), "{message}", "Messages consumed from brokers.");
        _meter.CreateObservableCounter("messaging.kafka.message.received", () => Observe(s => s.RxMessageBytes), "By", "Message bytes (key and value) consumed from brokers.");
    }

    /// <summary>Records one statistics document; called from the client's statistics handler.</summary>
    public void Record(string statisticsJson)
    {
        using var document = JsonDocument.Parse(statisticsJson);
        var root = document.RootElement;
        var snapshot = new Snapshot(
            IsConsumer: root.GetProperty("type").GetString() == "consumer",
            ReplyQueue: Long(root, "replyq"),
            MessageCount: Long(root, "msg_cnt"),
            MessageSize: Long(root, "msg_size"),
            Tx: Long(root, "tx"),
            TxBytes: Long(root, "tx_bytes"),
            Rx: Long(root, "rx"),
            RxBytes: Long(root, "rx_bytes"),
            TxMessages: Long(root, "txmsgs"),
            TxMessageBytes: Long(root, "txmsg_bytes"),
            RxMessages: Long(root, "rxmsgs"),
            RxMessageBytes: Long(root, "rxmsg_bytes"));
        _latest[root.GetProperty("name").GetString() ?? "unknown"] = snapshot;
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Observe(Func<Snapshot, long> value, bool? consumers = null) =>
        _latest
            .Where(pair => consumers is null || pair.Value.IsConsumer == consumers)
            .Select(pair => new Measurement<long>(value(pair.Value), new KeyValuePair<string, object?>("messaging.client.id", pair.Key)));

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : 0;

    private sealed record Snapshot(
        bool IsConsumer,
        long ReplyQueue,
        long MessageCount,
        long MessageSize,
        long Tx,
        long TxBytes,
        long Rx,
        long RxBytes,
        long TxMessages,
        long TxMessageBytes,
        long RxMessages,
        long RxMessageBytes);
}
