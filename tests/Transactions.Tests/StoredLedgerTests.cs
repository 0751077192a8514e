using System.Text;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.KurrentDB.Client;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// What the code before the domain events stored still loads and still goes out unchanged, on the real servers: a
/// stream in the first stored shape and a snapshot of format 2, both as that code wrote them. And snapshots are
/// written by the hosted writer, not by a task nobody awaits.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed class StoredLedgerTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LedgerStore Store => service.Transactions.Services.GetRequiredService<LedgerStore>();

    [Fact]
    public async Task A_stream_stored_in_the_first_shape_loads_and_is_published_as_it_was_stored()
    {
        var account = Guid.NewGuid();
        var stored = StoredShapeV1Sample.Events.Select(e => (e.Type, Json: StoredShapeV1Sample.For(account, e.Json))).ToList();
        await AppendFirstShapeAsync(account, stored);

        var ledger = await Store.LoadAsync(account, Ct);

        Assert.Equal(("EUR", 0m, 12L, true, 0), (ledger.Currency, ledger.Balance, ledger.Version, ledger.Closed, ledger.TransfersUnderWay));
        Assert.Equal(new LedgerEntry(EntryKind.TransferRefunded, 7, 10m), ledger.Entries[Guid.Parse("b0000000-0000-4000-8000-00000000000b")]);
        Assert.Equal(new LedgerEntry(EntryKind.TransferDeclined, 9, 7m),
            ledger.Entries[Ledger.IncomingKey(Guid.Parse("20000000-0000-4000-8000-000000000004"), Guid.Parse("d0000000-0000-4000-8000-00000000000d"))]);
        var deposit = await Store.ReadEventAsync(account, 2, Ct);
        Assert.Equal(new RecordedLedgerEvent(Guid.Parse("f022ad08-7772-8093-8cf8-460f5e1c8d23"), account, 2, new DateTimeOffset(2026, 11, 27, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4567),
            new LedgerEvents.MoneyDeposited(Guid.Parse("10000000-0000-4000-8000-000000000001"), 100.50m, "EUR", 100.50m)), deposit);

        // The publisher maps them to the contract: the same type, id and bytes as they were stored (and published) before.
        var published = await service.Kafka.ReadExactlyAsync(Topics.TransactionEvents, account, stored.Count);
        Assert.Equal(stored.Select(e => (e.Type, JsonDocument.Parse(e.Json).RootElement.GetProperty("eventId").GetString()!, e.Json)),
            published.Select(m => (CloudEventHeaders.Read(m.Headers, "ce_type"), CloudEventHeaders.Read(m.Headers, "ce_id"), m.Value)));
    }

    [Fact]
    public async Task A_snapshot_written_before_the_domain_events_still_loads()
    {
        var (account, fromEvents) = (Guid.NewGuid(), Guid.NewGuid());
        await AppendFirstShapeAsync(fromEvents, [.. StoredShapeV1Sample.Events.Select(e => (e.Type, StoredShapeV1Sample.For(fromEvents, e.Json)))]);
        // Only the snapshot, no stream: what loads can have come from nowhere else.
        await using (var database = NpgsqlDataSource.Create(service.TransactionsDatabase))
        await using (var insert = database.CreateCommand("INSERT INTO ledger_snapshots (account_id, version, state, taken_at, format) VALUES ($1, 12, $2, now(), 2)"))
        {
            insert.Parameters.Add(new() { Value = account });
            insert.Parameters.Add(new() { Value = Encoding.UTF8.GetBytes(StoredShapeV1Sample.For(account, StoredShapeV1Sample.Snapshot)) });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var loaded = await Store.LoadAsync(account, Ct);

        var expected = await Store.LoadFromEventsAsync(fromEvents, Ct);
        Assert.Equal((account, expected.Currency, expected.Balance, expected.Version, expected.Closed, expected.TransfersUnderWay),
            (loaded.AccountId, loaded.Currency, loaded.Balance, loaded.Version, loaded.Closed, loaded.TransfersUnderWay));
        Assert.Equal(expected.Entries.OrderBy(e => e.Key), loaded.Entries.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Snapshots_are_saved_by_the_writer_off_the_command_path_and_it_stops_cleanly()
    {
        await using var database = NpgsqlDataSource.Create(service.TransactionsDatabase);
        using var cache = new MemoryCache(new MemoryCacheOptions());
        var pending = new PendingSnapshots();
        var store = new LedgerStore(service.Transactions.Services.GetRequiredService<KurrentDBClient>(), database, cache, pending, TimeProvider.System,
            Options.Create(new LedgerOptions { SnapshotEvery = 3 }), NullLogger<LedgerStore>.Instance);
        using var writer = new LedgerSnapshotWriter(pending, store);
        var account = Guid.NewGuid();
        var ledger = Ledger.Empty(account);
        await writer.StartAsync(Ct);

        // Three events: the third reaches SnapshotEvery and asks for a snapshot, which the command does not wait for.
        foreach (var @event in new LedgerEvent[] { new LedgerEvents.Opened("EUR"), new LedgerEvents.MoneyDeposited(Guid.NewGuid(), 5m, "EUR", 5m), new LedgerEvents.MoneyDeposited(Guid.NewGuid(), 2m, "EUR", 7m) })
        {
            await store.AppendAsync(ledger, [@event], Ct);
            ledger = Ledger.Evolve(ledger, @event);
        }

        await Poll.UntilAsync(async () => await SnapshotVersionAsync(database, account) == 3, TimeSpan.FromSeconds(10), "the writer to save the snapshot at version 3");
        await writer.StopAsync(Ct);
        Assert.True(writer.ExecuteTask!.IsCompletedSuccessfully);
    }

    private async Task AppendFirstShapeAsync(Guid account, IReadOnlyList<(string Type, string Json)> events) =>
        await service.Transactions.Services.GetRequiredService<KurrentDBClient>().AppendToStreamAsync(LedgerStore.StreamName(account), StreamState.NoStream,
            events.Select(e => new EventData(Uuid.FromGuid(JsonDocument.Parse(e.Json).RootElement.GetProperty("eventId").GetGuid()), e.Type, Encoding.UTF8.GetBytes(e.Json))),
            cancellationToken: Ct);

    private static async Task<long?> SnapshotVersionAsync(NpgsqlDataSource database, Guid account)
    {
        await using var select = database.CreateCommand("SELECT version FROM ledger_snapshots WHERE account_id = $1");
        select.Parameters.Add(new() { Value = account });
        return await select.ExecuteScalarAsync(Ct) as long?;
    }
}
