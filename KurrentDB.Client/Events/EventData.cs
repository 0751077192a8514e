namespace EventDriven.KurrentDB.Client;

/// <summary>An event to append: its id (for idempotent retries), type, payload and custom metadata.</summary>
public sealed class EventData
{
    public EventData(Uuid eventId, string type, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte>? metadata = null, string contentType = "application/json")
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        EventId = eventId;
        Type = type;
        Data = data;
        Metadata = metadata ?? ReadOnlyMemory<byte>.Empty;
        ContentType = contentType;
    }

    public Uuid EventId { get; }

    public string Type { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Custom metadata bytes, usually a JSON object; the client adds the trace context to JSON objects.</summary>
    public ReadOnlyMemory<byte> Metadata { get; }

    /// <summary><c>application/json</c> or <c>application/octet-stream</c>.</summary>
    public string ContentType { get; }
}
