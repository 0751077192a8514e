using System.Globalization;

namespace EventDriven.KurrentDB.Client;

/// <summary>An event as stored: where it is (stream, number, log position), what it is, and when it was written.</summary>
public sealed class EventRecord
{
    internal const string TypeKey = "type";
    internal const string ContentTypeKey = "content-type";
    internal const string CreatedKey = "created";

    public EventRecord(
        string eventStreamId,
        Uuid eventId,
        StreamPosition eventNumber,
        Position position,
        IReadOnlyDictionary<string, string> metadata,
        ReadOnlyMemory<byte> data,
        ReadOnlyMemory<byte> customMetadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        EventStreamId = eventStreamId;
        EventId = eventId;
        EventNumber = eventNumber;
        Position = position;
        Data = data;
        Metadata = customMetadata;
        EventType = metadata.GetValueOrDefault(TypeKey, "");
        ContentType = metadata.GetValueOrDefault(ContentTypeKey, "");
        Created = ParseCreated(metadata.GetValueOrDefault(CreatedKey));
    }

    public string EventStreamId { get; }

    public Uuid EventId { get; }

    public StreamPosition EventNumber { get; }

    public string EventType { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The custom metadata written with the event (not the server's system metadata).</summary>
    public ReadOnlyMemory<byte> Metadata { get; }

    public string ContentType { get; }

    /// <summary>When the server wrote the event, in UTC.</summary>
    public DateTime Created { get; }

    public Position Position { get; }

    public override string ToString() => $"{EventNumber}@{EventStreamId} ({EventType})";

    // The server writes .NET ticks since the Unix epoch as a decimal string; anything else reads as the epoch.
    private static DateTime ParseCreated(string? created) =>
        long.TryParse(created, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks)
        && ticks >= 0 && ticks <= DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks
            ? new DateTime(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc)
            : DateTime.UnixEpoch;
}
