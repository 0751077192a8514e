using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Tests;
using EventDriven.Transactions.Features;

namespace EventDriven.Transactions.Tests;

/// <summary>What reconciliation reads of Transactions: the ledgers folded from KurrentDB, and its copy of account state.</summary>
[Collection(TransactionsCollection.Name)]
public sealed class ReconciliationApiTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_ledger_is_folded_from_its_events_with_its_entries_and_the_money_deposited_and_withdrawn()
    {
        var (from, to) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await PostAsync(from, "deposits", new { transactionId = Guid.NewGuid(), amount = 100.50m, currency = "EUR" });
        await PostAsync(from, "withdrawals", new { transactionId = Guid.NewGuid(), amount = 0.50m, currency = "EUR" });
        await PostAsync(from, "transfers", new { transactionId = Guid.NewGuid(), toAccountId = to, amount = 30m, currency = "EUR" });
        await Poll.UntilAsync(async () => (await LedgerAsync(from)).TransfersUnderWay == 0, TimeSpan.FromSeconds(30), "the transfer to complete");

        var report = (await service.Operator.GetFromJsonAsync<LedgerFactsReport>("/reconciliation/ledgers", ContractJson.Options, Ct))!;

        Assert.NotNull(report.ReadUpTo);
        Assert.Equal(report.Ledgers.Select(l => l.AccountId).Order(), report.Ledgers.Select(l => l.AccountId));
        // Opened, deposited, withdrawn, debited, completed: four entries (money movements) in five events.
        var source = Assert.Single(report.Ledgers, l => l.AccountId == from);
        Assert.Equal(new LedgerFacts(from, "EUR", 70m, 5, false, 0, 4, 1, 1, 0, 1, 100.50m, 0.50m), source);
        Assert.Equal((await LedgerAsync(from)).Version, source.Version);
        var target = Assert.Single(report.Ledgers, l => l.AccountId == to);
        Assert.Equal(new LedgerFacts(to, "EUR", 30m, 2, false, 0, 1, 0, 0, 1, 0, 0m, 0m), target);
    }

    [Fact]
    public async Task Pages_of_the_account_copy_in_id_order_hold_each_copied_account_once()
    {
        var opened = new[] { await service.OpenAccountAsync("EUR"), await service.OpenAccountAsync("JPY") };

        var all = new List<AccountCopyEntry>();
        Guid? after = null;
        do
        {
            var page = (await service.Operator.GetFromJsonAsync<AccountCopyPage>(
                $"/reconciliation/account-copy?count=3{(after is { } a ? $"&after={a}" : "")}", ContractJson.Options, Ct))!;
            Assert.Equal(page.Items.Count == 3 ? page.Items[^1].AccountId : null, page.Next);
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(all.Select(a => a.AccountId).Order(), all.Select(a => a.AccountId));
        Assert.Equal(all.Count, all.Select(a => a.AccountId).Distinct().Count());
        Assert.Equal(new AccountCopyEntry(opened[0], "EUR", AccountStatus.Open, 1), Assert.Single(all, a => a.AccountId == opened[0]));
        Assert.Equal(new AccountCopyEntry(opened[1], "JPY", AccountStatus.Open, 1), Assert.Single(all, a => a.AccountId == opened[1]));
    }

    [Theory]
    [InlineData("count=0")]
    [InlineData("count=1001")]
    [InlineData("after=not-a-guid")]
    public async Task A_bad_page_of_the_account_copy_is_a_400_problem(string query)
    {
        using var response = await service.Operator.GetAsync($"/reconciliation/account-copy?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task PostAsync(Guid account, string command, object body)
    {
        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{account}/{command}", body, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{command}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    private async Task<LedgerSummary> LedgerAsync(Guid account) =>
        (await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct))!;
}
