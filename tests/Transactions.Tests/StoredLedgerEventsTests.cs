using System.Text;
using System.Text.Json;
using EventDriven.Contracts;
using LedgerEventTypes = EventDriven.Contracts.Transactions.LedgerEventTypes;
using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Publishing;
using EventDriven.Transactions.Storage;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// The two stored shapes of a ledger event and the contract it is published as, without a server: what the code
/// before the domain events wrote (<see cref="StoredShapeV1Sample"/>) reads as domain events and publishes as the
/// same bytes, and what is written now carries the envelope beside the event, not in it.
/// </summary>
public sealed class StoredLedgerEventsTests
{
    private static readonly Guid Account = StoredShapeV1Sample.AccountId;
    private static readonly (Guid X, Guid Y) Others = (Guid.Parse("c0000000-0000-4000-8000-00000000000c"), Guid.Parse("d0000000-0000-4000-8000-00000000000d"));

    /// <summary>What the sample's events are, as the ledger knows them now.</summary>
    private static readonly LedgerEvent[] Expected =
    [
        new Opened("EUR"),
        new MoneyDeposited(Guid.Parse("10000000-0000-4000-8000-000000000001"), 100.50m, "EUR", 100.50m),
        new MoneyWithdrawn(Guid.Parse("10000000-0000-4000-8000-000000000002"), 30.25m, "EUR", 70.25m),
        new TransferDebited(Guid.Parse("a0000000-0000-4000-8000-00000000000a"), 20m, "EUR", 50.25m, Others.X),
        new TransferCompleted(Guid.Parse("a0000000-0000-4000-8000-00000000000a"), 20m, "EUR", 50.25m, Others.X),
        new TransferDebited(Guid.Parse("b0000000-0000-4000-8000-00000000000b"), 10m, "EUR", 40.25m, Others.Y),
        new TransferRefunded(Guid.Parse("b0000000-0000-4000-8000-00000000000b"), 10m, "EUR", 50.25m, Others.Y, "Account d0000000-0000-4000-8000-00000000000d is closed."),
        new TransferCredited(Guid.Parse("20000000-0000-4000-8000-000000000003"), 5m, "EUR", 55.25m, Others.X),
        new TransferDeclined(Guid.Parse("20000000-0000-4000-8000-000000000004"), 7m, "USD", 55.25m, Others.Y, "Account holds EUR, not USD."),
        new ClosureRefused(Guid.Parse("30000000-0000-4000-8000-000000000005"), "55.25 EUR is still in the account; withdraw or transfer it first."),
        new MoneyWithdrawn(Guid.Parse("10000000-0000-4000-8000-000000000006"), 55.25m, "EUR", 0m),
        new ClosureSettled(Guid.Parse("30000000-0000-4000-8000-000000000007")),
    ];

    [Fact]
    public void Events_stored_in_the_first_shape_read_as_the_domain_events_with_their_envelope()
    {
        var read = FirstShape().Select(LedgerEventSerializer.Deserialize).ToList();

        Assert.Equal(Expected, read.Select(r => r.Event));
        Assert.Equal(StoredShapeV1Sample.Events.Select(e => (IdOf(e.Json), Account, VersionOf(e.Json), Field(e.Json, "occurredAt").GetDateTimeOffset())),
            read.Select(r => (r.EventId, r.AccountId, r.Version, r.OccurredAt)));
    }

    [Fact]
    public void Events_stored_in_the_first_shape_are_published_as_the_bytes_they_were_stored_as()
    {
        foreach (var (record, (type, json)) in FirstShape().Zip(StoredShapeV1Sample.Events))
        {
            var contract = LedgerContracts.ToContract(LedgerEventSerializer.Deserialize(record));

            Assert.Equal(type, LedgerEventTypes.TypeOf(contract));
            Assert.Equal(json, Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(contract, contract.GetType(), ContractJson.Options)));
        }
    }

    [Fact]
    public void Event_ids_are_derived_as_before_the_stored_shape_changed()
    {
        Assert.Equal(StoredShapeV1Sample.Events.Select(e => IdOf(e.Json)), Expected.Select(e => LedgerEventSerializer.EventId(Account, e)));
        // Two accounts that use the same transaction id get different event ids.
        Assert.NotEqual(LedgerEventSerializer.EventId(Account, Expected[1]), LedgerEventSerializer.EventId(Others.X, Expected[1]));
    }

    [Fact]
    public void Events_are_stored_in_the_second_shape_with_the_envelope_beside_them_and_read_back_whole()
    {
        var at = new DateTimeOffset(2026, 11, 28, 23, 59, 1, TimeSpan.Zero).AddTicks(1234);
        foreach (var (@event, version) in Expected.Select((e, i) => (e, i + 1L)))
        {
            var recorded = new RecordedLedgerEvent(LedgerEventSerializer.EventId(Account, @event), Account, version, at, @event);

            var data = LedgerEventSerializer.ToEventData(recorded);

            Assert.StartsWith("V2.", data.Type, StringComparison.Ordinal);
            var fields = JsonDocument.Parse(data.Data).RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.DoesNotContain("eventId", fields);
            Assert.DoesNotContain("accountId", fields);
            Assert.DoesNotContain("version", fields);
            Assert.DoesNotContain("occurredAt", fields);
            Assert.Equal(at, JsonDocument.Parse(data.Metadata).RootElement.GetProperty("occurredAt").GetDateTimeOffset());
            Assert.Equal(recorded, LedgerEventSerializer.Deserialize(Record(Account, version, data.EventId.ToGuid(), data.Type, data.Data, data.Metadata)));
        }
    }

    [Fact]
    public void A_stored_event_of_an_unknown_type_is_not_read_as_anything() =>
        Assert.Throws<JsonException>(() => LedgerEventSerializer.Deserialize(Record(Account, 1, Guid.NewGuid(), "ledger.opened.v9", Encoding.UTF8.GetBytes("{}"), default)));

    private static IEnumerable<EventRecord> FirstShape() =>
        StoredShapeV1Sample.Events.Select(e => Record(Account, VersionOf(e.Json), IdOf(e.Json), e.Type, Encoding.UTF8.GetBytes(e.Json), default));

    private static EventRecord Record(Guid account, long version, Guid eventId, string type, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> metadata) =>
        new(LedgerStore.StreamName(account), Uuid.FromGuid(eventId), new StreamPosition((ulong)(version - 1)), Position.Start,
            new Dictionary<string, string> { ["type"] = type, ["content-type"] = "application/json" }, data, metadata);

    private static Guid IdOf(string json) => Field(json, "eventId").GetGuid();

    private static long VersionOf(string json) => Field(json, "version").GetInt64();

    private static JsonElement Field(string json, string name) => JsonDocument.Parse(json).RootElement.GetProperty(name).Clone();
}
