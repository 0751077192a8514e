using System.Diagnostics;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// Spans of the KurrentDB client (append, read, subscription delivery) and the trace context that appends write into
/// each event's custom metadata, so that a subscriber's work joins the trace of the request that wrote the event.
/// </summary>
public static class KurrentDBTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name to register with OpenTelemetry.</summary>
    public const string ActivitySourceName = "EventDriven.KurrentDB";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// Starts the span in which a subscriber handles <paramref name="resolvedEvent"/>. Its parent is the span of the
    /// append that wrote the event (from the event's <c>traceparent</c>), or the current span when it carries none.
    /// </summary>
    public static Activity? StartProcess(ResolvedEvent resolvedEvent, string? subscriptionName = null)
    {
        var stream = resolvedEvent.OriginalStreamId;
        var activity = Source.StartActivity(
            $"streams.process {stream}", ActivityKind.Consumer, ExtractContext(resolvedEvent.Event.Metadata));
        if (activity is { IsAllDataRequested: true })
        {
            SetEventTags(activity, "streams.process", resolvedEvent);
            activity.SetTag("db.kurrentdb.subscription", subscriptionName);
        }

        return activity;
    }

    /// <summary>The W3C trace context carried in an event's custom metadata, or default when there is none.</summary>
    public static ActivityContext ExtractContext(ReadOnlyMemory<byte> customMetadata) =>
        TraceContextMetadata.Extract(customMetadata);

    internal static Activity? StartClientSpan(string operation, string stream, Uri server)
    {
        var activity = Source.StartActivity($"{operation} {stream}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "kurrentdb");
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.kurrentdb.stream", stream);
            activity.SetTag("server.address", server.Host);
            activity.SetTag("server.port", server.Port);
        }

        return activity;
    }

    /// <summary>A short span marking the delivery of an event to a subscription, parented by the event's trace context.</summary>
    internal static Activity? StartDelivery(ResolvedEvent resolvedEvent, string? subscriptionId, Uri server)
    {
        var activity = Source.StartActivity(
            $"streams.subscribe {resolvedEvent.OriginalStreamId}", ActivityKind.Consumer, ExtractContext(resolvedEvent.Event.Metadata));
        if (activity is { IsAllDataRequested: true })
        {
            SetEventTags(activity, "streams.subscribe", resolvedEvent);
            activity.SetTag("db.kurrentdb.subscription.id", subscriptionId);
            activity.SetTag("server.address", server.Host);
            activity.SetTag("server.port", server.Port);
        }

        return activity;
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

    private static void SetEventTags(Activity activity, string operation, ResolvedEvent resolvedEvent)
    {
        activity.SetTag("db.system.name", "kurrentdb");
        activity.SetTag("db.operation.name", operation);
        activity.SetTag("db.kurrentdb.stream", resolvedEvent.OriginalStreamId);
        activity.SetTag("db.kurrentdb.event.id", resolvedEvent.Event.EventId.ToString());
        activity.SetTag("db.kurrentdb.event.type", resolvedEvent.Event.EventType);
        activity.SetTag("db.kurrentdb.event.number", resolvedEvent.OriginalEventNumber.ToUInt64());
    }
}
