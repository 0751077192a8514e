using System.Text.Json;
using System.Text.Json.Serialization;
using EventDriven.Contracts;
using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.Domain;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Storage;

/// <summary>
/// Ledger events to and from KurrentDB. Stored shape 2 (written since the ledger's events stopped being the contract):
/// the event type is a <c>V2.</c> name of the ledger's own, the data the domain event's JSON, the metadata a JSON
/// object with <c>occurredAt</c>, and <c>actor</c> when someone asked for the event (the client adds <c>traceparent</c>).
/// The id is KurrentDB's event id and the version the stream revision + 1, neither repeated in the data. Shape 1,
/// written before, is still read (see <see cref="StoredLedgerEventsV1"/>).
/// </summary>
public static class LedgerEventSerializer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<Type, string> Names = new Dictionary<Type, string>
    {
        [typeof(Opened)] = "V2.Opened",
        [typeof(MoneyDeposited)] = "V2.MoneyDeposited",
        [typeof(MoneyWithdrawn)] = "V2.MoneyWithdrawn",
        [typeof(TransferDebited)] = "V2.TransferDebited",
        [typeof(TransferCredited)] = "V2.TransferCredited",
        [typeof(TransferDeclined)] = "V2.TransferDeclined",
        [typeof(TransferCompleted)] = "V2.TransferCompleted",
        [typeof(TransferRefunded)] = "V2.TransferRefunded",
        [typeof(ClosureSettled)] = "V2.ClosureSettled",
        [typeof(ClosureRefused)] = "V2.ClosureRefused",
    };

    private static readonly Dictionary<string, Type> Types = Names.ToDictionary(pair => pair.Value, pair => pair.Key);

    /// <summary>The stored type name of a domain event.</summary>
    public static string TypeOf(LedgerEvent @event) =>
        Names.TryGetValue(@event.GetType(), out var name) ? name : throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Not a ledger event.");

    /// <summary>
    /// The id of an event the ledger appends: the same step of the same transaction in the same ledger always has the
    /// same id (two accounts that use the same transaction id still get different ones), so a retried append of one
    /// step carries one id. Derived as it was when events were stored in shape 1, so ids did not change with the shape.
    /// </summary>
    public static Guid EventId(Guid accountId, LedgerEvent @event)
    {
        var key = @event switch
        {
            Opened => accountId,
            TransactionStep step => step.TransactionId,
            ClosureSettled settled => settled.ClosureRequestId,
            ClosureRefused refused => refused.ClosureRequestId,
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Not a ledger event."),
        };
        return NameBasedId.From(key, $"{accountId:N}/{StoredLedgerEventsV1.TypeOf(@event)}");
    }

    public static EventData ToEventData(RecordedLedgerEvent recorded) => new(
        Uuid.FromGuid(recorded.EventId),
        TypeOf(recorded.Event),
        JsonSerializer.SerializeToUtf8Bytes(recorded.Event, recorded.Event.GetType(), Json),
        JsonSerializer.SerializeToUtf8Bytes(new StoredMetadata(recorded.OccurredAt, recorded.Actor), Json));

    /// <summary>A stored ledger event, in either shape, as the domain event with its envelope.</summary>
    public static RecordedLedgerEvent Deserialize(EventRecord record)
    {
        var accountId = LedgerStore.AccountIdOf(record.EventStreamId)
            ?? throw new InvalidOperationException($"'{record.EventStreamId}' is not a ledger stream.");
        var version = (long)record.EventNumber.ToUInt64() + 1;
        if (!Types.TryGetValue(record.EventType, out var type))
        {
            return StoredLedgerEventsV1.Deserialize(record.EventType, record.Data.Span, record.EventId.ToGuid(), accountId, version);
        }

        var @event = (LedgerEvent)(JsonSerializer.Deserialize(record.Data.Span, type, Json) ?? throw new JsonException($"A {record.EventType} without data."));
        var metadata = record.Metadata.IsEmpty ? null : JsonSerializer.Deserialize<StoredMetadata>(record.Metadata.Span, Json);
        return new RecordedLedgerEvent(record.EventId.ToGuid(), accountId, version,
            metadata?.OccurredAt ?? throw new JsonException($"A {record.EventType} without occurredAt in its metadata."), @event, metadata?.Actor);
    }

    /// <summary>The stored metadata; an absent actor is left out, not written as null (events no one asked for, and older ones, look alike).</summary>
    private sealed record StoredMetadata(
        DateTimeOffset? OccurredAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Actor = null);
}
