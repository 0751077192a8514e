using EventDriven.Transactions.Domain;

namespace EventDriven.Transactions.Storage;

/// <summary>
/// A ledger event as the store keeps it: the domain's <paramref name="Event"/> with its envelope. The id is KurrentDB's
/// event id (deduplication downstream), the version the event's place in the ledger (its stream revision + 1), the
/// time when it was appended. The trace context travels beside it, in the stored event's metadata, and so does
/// <paramref name="Actor"/>: who asked for it (the caller's token subject, for audit; null when no one asked, as for
/// the choreography's steps, and for events stored before actors were recorded).
/// </summary>
public sealed record RecordedLedgerEvent(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, LedgerEvent Event, string? Actor = null);
