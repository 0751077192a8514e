using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.KurrentDB.Client;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Tests;
using EventDriven.Transactions.Publishing;

namespace EventDriven.Transactions.Tests;

/// <summary>Transactions' status endpoints: the publisher's checkpoint lag, and the lag of both its consumers.</summary>
[Collection(TransactionsCollection.Name)]
public sealed class StatusTests(TransactionsFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_publisher_status_counts_unpublished_ledger_events_until_a_publisher_has_caught_up()
    {
        // A world of its own (event store, database, consumer group), so that the fixture's publisher does not publish it.
        await using var kurrentDB = new LocalKurrentDBServer();
        await kurrentDB.InitializeAsync();
        var database = await service.Postgres.CreateDatabaseAsync($"transactions_{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string>
        {
            ["Transactions:Publisher:Enabled"] = "false",
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"status-{Guid.NewGuid():N}",
        };
        var account = await service.OpenAccountAsync();
        await using (var unpublished = service.StartTransactions(database, settings, kurrentDB))
        {
            await TransactionsFixture.WaitUntilKnownAsync(account, service.ClientFor(unpublished));
            using var deposit = await service.ClientFor(unpublished).PostAsJsonAsync($"/ledgers/{account}/deposits", new { transactionId = Guid.NewGuid(), amount = 10m, currency = "EUR" }, Ct);
            deposit.EnsureSuccessStatusCode();

            // Every ledger event in this event store is unpublished: the ledger opened and the deposit, and whatever this
            // instance's choreography wrote for messages earlier tests left on the shared broker (closures settled). Read
            // the store before and after asking, until nothing was written in between.
            await using var store = new KurrentDBClient(KurrentDBClientSettings.Create(kurrentDB.ConnectionString));
            var (behind, stored) = await Poll.UntilAsync(async () =>
            {
                var before = await CountLedgerEventsAsync(store);
                var status = await service.ClientFor(unpublished, TestUser.Operator).GetFromJsonAsync<PublisherStatus>("/status/publisher", Ct);
                return await CountLedgerEventsAsync(store) == before ? Tuple.Create(status!, before) : null;
            }, Patience, "a status read while the event store stood still");

            Assert.True(stored >= 2, $"{stored} ledger events stored");
            Assert.Equal((null, stored, false), (behind.CheckpointPosition, behind.EventsBehind, behind.EventsBehindCapped));
            Assert.True(behind.EndPosition > 0);
            Assert.Equal(behind.EndPosition, behind.PositionsBehind);
            Assert.True(behind.OldestUnpublishedSeconds >= 0);
        }

        settings["Transactions:Publisher:Enabled"] = "true";
        settings["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"status-{Guid.NewGuid():N}";
        await using var publishing = service.StartTransactions(database, settings, kurrentDB);
        var caughtUp = await Poll.UntilAsync(async () =>
            await service.ClientFor(publishing, TestUser.Operator).GetFromJsonAsync<PublisherStatus>("/status/publisher", Ct) is { EventsBehind: 0 } status ? status : null,
            Patience, "the publisher to publish what was stored");

        Assert.True(caughtUp.CheckpointPosition >= caughtUp.EndPosition, $"{caughtUp}");
        Assert.Equal(0UL, caughtUp.PositionsBehind);
        Assert.NotNull(caughtUp.CheckpointSavedAt);
        Assert.Null(caughtUp.OldestUnpublishedSeconds);
    }

    private static async Task<int> CountLedgerEventsAsync(KurrentDBClient store) =>
        await store.ReadAllAsync(Direction.Forwards, Position.Start, cancellationToken: Ct)
            .CountAsync(e => e.Event.EventStreamId.StartsWith(EventDriven.Transactions.Storage.LedgerStore.StreamPrefix, StringComparison.Ordinal), Ct);

    [Fact]
    public async Task Consumer_lag_lists_the_pipeline_and_the_account_copy_and_counts_the_copy_up_to_its_stored_offsets()
    {
        var account = await service.OpenAccountAsync();

        // Known to the copy: its offsets are stored past the account's state message, on the partition it went to.
        var consumers = await Poll.UntilAsync(async () =>
            await service.Operator.GetFromJsonAsync<List<ConsumerLag>>("/status/consumers", Ct) is { } all
            && all.Single(c => c.Name == "account-copy").Lag == 0 ? all : null,
            Patience, "the account copy to have stored its offsets up to the end of accounts.state");

        Assert.Equal(["account-copy", "pipeline"], consumers.Select(c => c.Name).Order());
        var copy = consumers.Single(c => c.Name == "account-copy");
        Assert.Equal("transactions-account-copy", copy.GroupId);
        Assert.All(copy.Partitions, p => Assert.Equal(Topics.AccountState, p.Topic));
        // A partition that never had a message has no stored offset yet, and nothing to lag behind.
        Assert.All(copy.Partitions, p => Assert.True(p.Committed == p.HighWatermark || (p.Committed is null && p.Lag == 0), $"{p}"));
        Assert.Contains(copy.Partitions, p => p.HighWatermark > 0);
        var pipeline = consumers.Single(c => c.Name == "pipeline");
        Assert.Equal("transactions", pipeline.GroupId);
        Assert.Contains(pipeline.Partitions, p => p.Topic == Topics.TransactionEvents);
        Assert.Equal(pipeline.Partitions.Sum(p => p.Lag), pipeline.Lag);
    }
}
