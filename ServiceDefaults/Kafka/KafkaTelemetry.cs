using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Spans for Kafka per the OpenTelemetry messaging conventions, and the W3C trace context carried in message headers,
/// so that a consumer continues the trace of the request that produced the message.
/// </summary>
public static class KafkaTelemetry
{
    public const string ActivitySourceName = "EventDriven.Kafka";
    public const string MeterName = "EventDriven.Kafka";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    // W3C trace context and baggage, whatever the process configured as its default propagator: the wire contract
    // says traceparent/tracestate, so it does not depend on SDK set-up.
    private static readonly TextMapPropagator Propagator =
        new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]);

    /// <summary>Starts a producer span for a send to <paramref name="topic"/> and writes its context into the message headers.</summary>
    internal static Activity? StartSend<TKey, TValue>(string topic, Message<TKey, TValue> message, string? clientId)
    {
        var activity = Source.StartActivity($"send {topic}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "send");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.client.id", clientId);
            if (message.Key is string key)
            {
                activity.SetTag("messaging.kafka.message.key", key);
            }
        }

        Inject(activity?.Context ?? Activity.Current?.Context ?? default, message);
        return activity;
    }

    internal static void RecordDelivery(Activity? activity, TopicPartitionOffset? delivered)
    {
        if (activity is null || delivered is null)
        {
            return;
        }

        activity.SetTag("messaging.destination.partition.id", delivered.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        activity.SetTag("messaging.kafka.offset", delivered.Offset.Value);
    }

    internal static void RecordError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
        activity.AddException(exception);
    }

    /// <summary>A short consumer span marking the receipt of a message, parented by the producer's context.</summary>
    internal static void RecordReceive<TKey, TValue>(ConsumeResult<TKey, TValue> result, string? groupId, string? clientId)
    {
        using var activity = StartConsumerActivity(result, "receive", groupId, clientId);
    }

    /// <summary>
    /// Starts the span in which a consumed message is handled. Its parent is the producer's span (from the message's
    /// <c>traceparent</c>), so the handler's database work joins the trace that began with the original request.
    /// </summary>
    public static Activity? StartProcess<TKey, TValue>(ConsumeResult<TKey, TValue> result, string? groupId = null) =>
        StartConsumerActivity(result, "process", groupId, clientId: null);

    /// <summary>The trace context carried by a message's headers (default when it carries none).</summary>
    public static ActivityContext ExtractContext(Headers? headers) =>
        headers is null ? default : Propagator.Extract(default, headers, ReadHeader).ActivityContext;

    private static Activity? StartConsumerActivity<TKey, TValue>(ConsumeResult<TKey, TValue> result, string operation, string? groupId, string? clientId)
    {
        var parent = ExtractContext(result.Message?.Headers);
        var activity = Source.StartActivity($"{operation} {result.Topic}", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", operation);
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.destination.name", result.Topic);
            activity.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", result.Offset.Value);
            activity.SetTag("messaging.consumer.group.name", groupId);
            activity.SetTag("messaging.client.id", clientId);
            if (result.Message is { Key: string key })
            {
                activity.SetTag("messaging.kafka.message.key", key);
            }
        }

        return activity;
    }

    private static void Inject<TKey, TValue>(ActivityContext context, Message<TKey, TValue> message)
    {
        if (context == default)
        {
            return;
        }

        message.Headers ??= [];
        message.Headers.Remove("traceparent");
        message.Headers.Remove("tracestate");
        Propagator.Inject(new PropagationContext(context, Baggage.Current), message.Headers, WriteHeader);
    }

    private static void WriteHeader(Headers headers, string key, string value) =>
        headers.Add(key, Encoding.UTF8.GetBytes(value));

    private static IEnumerable<string> ReadHeader(Headers headers, string key) =>
        headers.TryGetLastBytes(key, out var bytes) ? [Encoding.UTF8.GetString(bytes)] : [];
}
