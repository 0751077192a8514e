namespace EventDriven.Contracts.Lineage;

/// <summary>
/// What one service knows of an event (every service's <c>GET /lineage/{eventId}</c>): where it stored and published
/// it, and which of its consumer groups applied it. The event id is the CloudEvents id every consumer sees
/// (<c>ce_id</c>), the same on each topic an event goes to.
/// </summary>
public sealed record LineageFacts(Guid EventId, string Service, IReadOnlyList<EventPublication> Publications, IReadOnlyList<EventApplication> Applications);

/// <summary>
/// One publication of an event to a topic, after Kafka acknowledged it: where the event was stored before, and where
/// it landed. A republish (after a crash) overwrites the row with where it landed last and counts it in <see cref="Times"/>.
/// </summary>
public sealed record EventPublication(
    string Service,
    EventStorage StoredIn,
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset PublishedAt,
    string? TraceId,
    int Times);

/// <summary>
/// Where an event was stored before it was published: a row of Account's outbox (deleted once relayed; its id stays
/// here), or a ledger stream's event in KurrentDB.
/// </summary>
public sealed record EventStorage(string Store, long? OutboxId, string? Stream, long? StreamRevision)
{
    public const string Outbox = "outbox";
    public const string Ledger = "kurrentdb";

    public static EventStorage OutboxRow(long id) => new(Outbox, id, null, null);

    public static EventStorage LedgerEvent(string stream, long revision) => new(Ledger, null, stream, revision);
}

/// <summary>
/// A consumer group applied the event, as delivered from a topic, and what that produced (a read model's or a copy's
/// version); the first application is kept, a redelivery (which the handlers deduplicate) changes nothing.
/// </summary>
public sealed record EventApplication(
    string Service,
    string ConsumerGroup,
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset AppliedAt,
    IReadOnlyList<AppliedProduct> Produced,
    string? TraceId);

/// <summary>What applying an event produced: a read model or copy (by name) at a version.</summary>
public sealed record AppliedProduct(string Name, long Version);
