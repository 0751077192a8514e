using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Features;
using Npgsql;

namespace EventDriven.Transactions.Tests;

/// <summary>Concurrency across instances, a publisher that stopped before producing or before its checkpoint, and the account copy's bootstrap modes.</summary>
[Collection(TransactionsCollection.Name)]
public sealed class ReliabilityTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fifty_concurrent_withdrawals_through_two_instances_never_overdraw_and_never_lose_one()
    {
        var account = await service.OpenAccountAsync();
        await PostAsync(service.Client, account, "deposits", 300m);
        // A second instance on the same stores: its commands race the first one's on the ledger's revision, and its
        // publisher waits for the first one's leadership.
        await using var second = service.StartTransactions(service.TransactionsDatabase, new Dictionary<string, string>
        {
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"second-{Guid.NewGuid():N}",
        });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            // As a client should: a 503 (the ledger kept changing under the command) is retried with the same transaction id.
            var request = new { transactionId = Guid.NewGuid(), amount = 10m, currency = "EUR" };
            for (var attempt = 1; ; attempt++)
            {
                using var response = await (i % 2 == 0 ? service.Client : service.ClientFor(second)).PostAsJsonAsync($"/ledgers/{account}/withdrawals", request, Ct);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
                {
                    return response.StatusCode;
                }
            }
        }));

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.Conflict));
        var summary = await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct);
        Assert.Equal((0m, 32L), (summary!.Balance, summary.Version));
        var history = await service.Client.GetFromJsonAsync<LedgerHistory>($"/ledgers/{account}/history?count=100", ContractJson.Options, Ct);
        Assert.Equal(30, history!.Events.Count(e => e.Type == LedgerEventTypes.MoneyWithdrawn));
        // One publisher at a time: each of the 32 events published once.
        var published = await service.Kafka.ReadExactlyAsync(Topics.TransactionEvents, account, 32);
        Assert.Equal(32, published.Count);
        Assert.Equal(32, published.Select(m => CloudEventHeaders.Read(m.Headers, "ce_id")).Distinct().Count());
    }

    [Fact]
    public async Task Events_stored_while_no_publisher_ran_and_events_past_a_lost_checkpoint_are_published_and_applied_once()
    {
        // A world of its own (event store, database, consumer group), so that the fixture's publisher does not publish it.
        await using var world = await service.StartUnpublishedWorldAsync();
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        Guid tx;
        await using (var unpublished = world.Start())
        {
            // The two may sit on different partitions of accounts.state: knowing one says nothing about the other.
            await TransactionsFixture.WaitUntilKnownAsync(source, service.ClientFor(unpublished));
            await TransactionsFixture.WaitUntilKnownAsync(target, service.ClientFor(unpublished));
            await PostAsync(service.ClientFor(unpublished), source, "deposits", 100m);
            tx = Guid.NewGuid();
            using var transfer = await service.ClientFor(unpublished).PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 25m, currency = "EUR" }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, transfer.StatusCode);
            // Stored, not published: the instance stops as a publisher that died between append and produce would leave it.
            Assert.Empty(await service.Kafka.ReadExactlyAsync(Topics.TransactionEvents, source, 0));
        }

        // A new group per instance: a restarted member of the same group waits out the old member's session first.
        var publisher = new Dictionary<string, string>
        {
            ["Transactions:Publisher:Enabled"] = "true",
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"isolated-{Guid.NewGuid():N}",
        };
        await using (var publishing = world.Start(publisher))
        {
            // Opened, deposited, debited — then, by choreography, completed on the source after the target's credit.
            var published = await service.Kafka.ReadAsync(Topics.TransactionEvents, source, 4);
            Assert.Equal([LedgerEventTypes.Opened, LedgerEventTypes.MoneyDeposited, LedgerEventTypes.TransferDebited, LedgerEventTypes.TransferCompleted],
                published.Select(m => CloudEventHeaders.Read(m.Headers, "ce_type")));
        }

        // The checkpoint is lost (as if the publisher died after Kafka's ack, before saving it): everything goes out again.
        await using (var connection = new NpgsqlConnection(world.Database))
        {
            await connection.OpenAsync(Ct);
            await using var forget = new NpgsqlCommand("DELETE FROM publisher_checkpoints", connection);
            Assert.Equal(1, await forget.ExecuteNonQueryAsync(Ct));
        }

        publisher["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"isolated-{Guid.NewGuid():N}";
        await using (var republishing = world.Start(publisher))
        {
            var again = await service.Kafka.ReadAsync(Topics.TransactionEvents, source, 8);
            var ids = again.Select(m => CloudEventHeaders.Read(m.Headers, "ce_id")).ToList();
            Assert.Equal(8, ids.Count);
            Assert.Equal(4, ids.Distinct().Count()); // every event twice, with the same id
            // Lineage keeps one publication per event and topic: where it landed last, published twice.
            var republished = Guid.Parse(ids[0]);
            var lineage = await Poll.UntilAsync(async () => await LineageTests.FindAsync(service.ClientFor(republishing, TestUser.Operator), republished) is { Publications: [{ Times: 2 }] } twice ? twice : null,
                TimeSpan.FromSeconds(30), "the republish to be counted in the lineage");
            Assert.Equal(Topics.TransactionEvents, Assert.Single(lineage.Publications).Topic);
            // Applied once downstream. A second transfer, published after the duplicates on the same partitions, tells
            // when the choreography has been through them: once it completes, the duplicates were handled before it.
            var marker = Guid.NewGuid();
            using (var transfer = await service.ClientFor(republishing).PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = marker, toAccountId = target, amount = 5m, currency = "EUR" }, Ct))
            {
                Assert.Equal(HttpStatusCode.Accepted, transfer.StatusCode);
            }

            await Poll.UntilAsync(async () => (await service.ClientFor(republishing).GetFromJsonAsync<LedgerReceipt>($"/ledgers/{source}/transactions/{marker}", ContractJson.Options, Ct))!.Type == LedgerEventTypes.TransferCompleted,
                TimeSpan.FromSeconds(30), "the marker transfer to complete");
            // The target was credited once per transfer, and each transfer completed once.
            var targetLedger = await service.ClientFor(republishing).GetFromJsonAsync<LedgerSummary>($"/ledgers/{target}", ContractJson.Options, Ct);
            Assert.Equal((30m, 3L), (targetLedger!.Balance, targetLedger.Version));
            var sourceLedger = await service.ClientFor(republishing).GetFromJsonAsync<LedgerSummary>($"/ledgers/{source}", ContractJson.Options, Ct);
            Assert.Equal((70m, 6L, 0), (sourceLedger!.Balance, sourceLedger.Version, sourceLedger.TransfersUnderWay));
        }
    }

    [Theory]
    [InlineData("Snapshot")]
    [InlineData("Lazy")]
    [InlineData("Replay")]
    public async Task A_new_instance_fills_its_account_copy_in_the_configured_mode(string mode)
    {
        var known = await service.OpenAccountAsync();
        await service.OpenAccountAsync();
        await service.OpenAccountAsync();
        var existing = (await service.AccountAs(TestUser.Operator).GetFromJsonAsync<AccountCount>("/accounts?pageSize=1", ContractJson.Options, Ct))!.Total;
        var database = await service.Postgres.CreateDatabaseAsync($"copy_{mode.ToLowerInvariant()}_{Guid.NewGuid():N}");
        await using var fresh = service.StartTransactions(database, new Dictionary<string, string>
        {
            ["Transactions:AccountState:Mode"] = mode,
            // Snapshot: nothing read again before the export, so the older accounts can come only from the export.
            ["Transactions:AccountState:ReplayWindow"] = "00:00:00",
            ["Transactions:Publisher:Enabled"] = "false",
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"copy-{Guid.NewGuid():N}",
        });

        // The account opened before this instance existed is known to it, whichever way it came.
        await TransactionsFixture.WaitUntilKnownAsync(known, service.ClientFor(fresh));
        // An account changed afterwards reaches it through the topic in every mode.
        var later = await service.OpenAccountAsync(transactions: service.ClientFor(fresh));
        await service.ChangeAccountAsync(later, "freeze", new { reason = "test" });
        await Poll.UntilAsync(async () => (await service.ClientFor(fresh).GetFromJsonAsync<LedgerSummary>($"/ledgers/{later}", ContractJson.Options, Ct))!.Account?.Version == 2,
            TimeSpan.FromSeconds(30), "the freeze to reach the new instance's copy");

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        async Task<long> CopiedAsync()
        {
            await using var count = new NpgsqlCommand("SELECT count(*) FROM account_copy", connection);
            return (long)(await count.ExecuteScalarAsync(Ct))!;
        }

        if (mode == "Lazy")
        {
            // The one asked for, and the one that changed while it followed the topic; not the others.
            Assert.Equal(2, await CopiedAsync());
        }
        else
        {
            // Every account, the older ones included. A replay reads the partitions side by side, so the freeze above
            // having arrived says nothing about the other partitions' history: wait for it.
            await Poll.UntilAsync(async () => await CopiedAsync() >= existing + 1, TimeSpan.FromSeconds(30),
                $"{mode} mode to copy every account ({existing} before it started, and one after)");
        }
    }

    private sealed record AccountCount(long Total);

    private static async Task PostAsync(HttpClient client, Guid account, string command, decimal amount)
    {
        using var response = await client.PostAsJsonAsync($"/ledgers/{account}/{command}", new { transactionId = Guid.NewGuid(), amount, currency = "EUR" }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
