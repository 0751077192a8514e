using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.KurrentDB.Client;

namespace EventDriven.Transactions.Storage;

/// <summary>Ledger events to and from KurrentDB: the event type is the CloudEvents type, the data the wire's JSON.</summary>
public static class LedgerEventSerializer
{
    public static EventData ToEventData(LedgerEvent @event) => new(
        Uuid.FromGuid(@event.EventId),
        LedgerEventTypes.TypeOf(@event),
        JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), ContractJson.Options));

    public static LedgerEvent Deserialize(EventRecord record) => LedgerEventTypes.Deserialize(record.EventType, record.Data.Span);
}
