using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Lineage;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Features;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// Transactions' part of an event's lineage: the ledger event's stream and revision and where the publisher put it;
/// what its choreography and its account copy applied.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed class LineageTests(TransactionsFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deposit_is_traced_from_its_ledger_stream_and_revision_to_its_place_on_the_topic()
    {
        var account = await service.OpenAccountAsync();
        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{account}/deposits", new { transactionId = Guid.NewGuid(), amount = 25m, currency = "EUR" }, Ct);
        var deposit = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LedgerReceipt>(ContractJson.Options, Ct))!;
        var published = (await service.Kafka.ReadAsync(Topics.TransactionEvents, account, 2))
            .Single(m => CloudEventHeaders.Read(m.Headers, "ce_id") == deposit.EventId.ToString());

        var facts = await Poll.UntilAsync(async () => await FindAsync(deposit.EventId) is { Publications.Count: 1 } found ? found : null,
            Patience, "the publisher to record the deposit's publication");

        var publication = Assert.Single(facts.Publications);
        Assert.Equal(EventStorage.LedgerEvent($"ledger-{account}", deposit.Version - 1), publication.StoredIn);
        Assert.Equal((Topics.TransactionEvents, 1), (publication.Topic, publication.Times));
        Assert.Equal(CloudEventHeaders.Read(published.Headers, "traceparent").Split('-')[1], publication.TraceId);
    }

    [Fact]
    public async Task A_transfer_s_debit_is_applied_by_the_choreography_and_its_lineage_says_so()
    {
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        using (var deposit = await service.Client.PostAsJsonAsync($"/ledgers/{source}/deposits", new { transactionId = Guid.NewGuid(), amount = 40m, currency = "EUR" }, Ct))
        {
            deposit.EnsureSuccessStatusCode();
        }

        using var transfer = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = Guid.NewGuid(), toAccountId = target, amount = 15m, currency = "EUR" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, transfer.StatusCode);
        var debit = (await transfer.Content.ReadFromJsonAsync<LedgerReceipt>(ContractJson.Options, Ct))!;

        var facts = await Poll.UntilAsync(async () => await FindAsync(debit.EventId) is { Publications.Count: 1, Applications.Count: > 0 } found ? found : null,
            Patience, "the choreography to apply the debit and record it");

        var application = Assert.Single(facts.Applications);
        Assert.Equal(("transactions", Topics.TransactionEvents), (application.ConsumerGroup, application.Topic));
        Assert.Equal((facts.Publications[0].Partition, facts.Publications[0].Offset), (application.Partition, application.Offset));
        Assert.Equal(facts.Publications[0].TraceId, application.TraceId);
    }

    [Fact]
    public async Task An_account_state_is_applied_by_the_account_copy_in_its_own_transaction_with_the_version_it_produced()
    {
        var account = await service.OpenAccountAsync();
        var state = Assert.Single(await service.Kafka.ReadAsync(Topics.AccountState, account, 1));
        var eventId = Guid.Parse(CloudEventHeaders.Read(state.Headers, "ce_id"));

        // Written with the copy in one transaction: once the copy knows the account (OpenAccountAsync waited), so does lineage.
        var facts = await FindAsync(eventId);

        var application = Assert.Single(facts!.Applications);
        Assert.Equal((AccountStateConsumer.GroupId, Topics.AccountState), (application.ConsumerGroup, application.Topic));
        Assert.Equal([new AppliedProduct(AccountStateConsumer.CopyName, 1)], application.Produced);
        Assert.Equal(CloudEventHeaders.Read(state.Headers, "traceparent").Split('-')[1], application.TraceId);
        Assert.Empty(facts.Publications);
    }

    private async Task<LineageFacts?> FindAsync(Guid eventId) => await FindAsync(service.Operator, eventId);

    /// <summary>What <paramref name="transactions"/> knows of an event; null when nothing.</summary>
    public static async Task<LineageFacts?> FindAsync(HttpClient transactions, Guid eventId)
    {
        using var response = await transactions.GetAsync($"/lineage/{eventId}", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<LineageFacts>(ContractJson.Options, Ct);
    }
}
