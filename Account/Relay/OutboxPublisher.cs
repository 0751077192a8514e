using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using EventDriven.Accounts.Outbox;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// Produces outbox messages to Kafka with CloudEvents binary-mode headers, inside a relay span that continues the trace
/// of the request that stored them. Both relays use it.
/// </summary>
public sealed class OutboxPublisher
{
    public const string TelemetryName = "Account";
    private static readonly ActivitySource Source = new(TelemetryName);

    private readonly IProducer<string, byte[]> _producer;
    private readonly LineageRecorder _lineage;
    private readonly Counter<long> _published;
    private readonly Histogram<double> _lag;
    private RelayedMessage? _last;

    /// <summary>The message this instance relayed last: when Kafka acknowledged it, and how long after its commit.</summary>
    public RelayedMessage? Last => Volatile.Read(ref _last);

    public OutboxPublisher(IProducer<string, byte[]> producer, LineageRecorder lineage, IMeterFactory meters)
    {
        (_producer, _lineage) = (producer, lineage);
        var meter = meters.Create(TelemetryName);
        _published = meter.CreateCounter<long>("account.outbox.published", "{message}", "Outbox messages acknowledged by Kafka, by topic.");
        _lag = meter.CreateHistogram<double>("account.outbox.relay.lag", "ms",
            "From the command's commit (CDC: PostgreSQL's commit timestamp; polling: the command's time) to Kafka's acknowledgement.");
    }

    /// <summary>
    /// Produces one message (outbox row <paramref name="outboxId"/>); completes when Kafka has acknowledged it, and then
    /// hands its lineage (the row, where it landed, the trace) to the recorder, which keeps it after the row is gone.
    /// </summary>
    public async Task PublishAsync(long outboxId, OutboxMessage message, DateTimeOffset committedAt, CancellationToken cancellationToken)
    {
        var parent = KafkaTelemetry.ExtractContext(TraceHeaders(message));
        using var activity = Source.StartActivity($"relay {message.Topic}", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", message.EventId.ToString());
        activity?.SetTag("cloudevents.event_type", message.Type);

        var delivered = await _producer.ProduceAsync(message.Topic, new Message<string, byte[]>
        {
            Key = message.Key,
            Value = Encoding.UTF8.GetBytes(message.Payload),
            Timestamp = new Timestamp(message.OccurredAt),
            Headers = CloudEventHeaders.Create(message.EventId, message.Type, AccountEventTypes.Source, message.OccurredAt, message.Key, message.Actor),
        }, cancellationToken).ConfigureAwait(false);

        _published.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", message.Topic));
        var now = DateTimeOffset.UtcNow;
        var traceId = activity?.TraceId ?? parent.TraceId;
        _lineage.Published(new PublishedEvent(message.EventId, EventStorage.OutboxRow(outboxId), message.Topic, delivered.Partition.Value, delivered.Offset.Value, now,
            traceId == default ? null : traceId.ToHexString()));
        var lag = (now - committedAt).TotalMilliseconds;
        _lag.Record(lag);
        Volatile.Write(ref _last, new RelayedMessage(now, lag));
    }

    private static Headers? TraceHeaders(OutboxMessage message)
    {
        if (message.TraceParent is null)
        {
            return null;
        }

        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes(message.TraceParent) } };
        if (message.TraceState is { Length: > 0 } state)
        {
            headers.Add("tracestate", Encoding.UTF8.GetBytes(state));
        }

        return headers;
    }
}

/// <summary>A relayed message: when Kafka acknowledged it, and the relay lag (from its commit to that acknowledgement).</summary>
public sealed record RelayedMessage(DateTimeOffset AcknowledgedAt, double LagMilliseconds);
