using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Tests;
using EventDriven.Transactions.Features;

namespace EventDriven.Transactions.Tests;

/// <summary>The ledger's commands and queries over HTTP, against KurrentDB, PostgreSQL, Kafka and the real Account service.</summary>
[Collection(TransactionsCollection.Name)]
public sealed class LedgerApiTests(TransactionsFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deposits_and_withdrawals_move_the_balance_and_the_history_shows_them()
    {
        var account = await service.OpenAccountAsync();

        var deposit = await PostAsync<LedgerReceipt>(account, "deposits", new { transactionId = Guid.NewGuid(), amount = 100.50m, currency = "EUR" });
        var withdrawal = await PostAsync<LedgerReceipt>(account, "withdrawals", new { transactionId = Guid.NewGuid(), amount = 0.50m, currency = "EUR" });

        Assert.Equal((100.50m, 2L), (deposit.Balance, deposit.Version));
        Assert.Equal((100m, 3L, "ledger.money-withdrawn.v1"), (withdrawal.Balance, withdrawal.Version, withdrawal.Type));
        var summary = await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct);
        Assert.Equal(new LedgerSummary(account, "EUR", 100m, 3, false, 0, new AccountCopyView(AccountStatus.Open, 1)), summary);
        var history = await service.Client.GetFromJsonAsync<LedgerHistory>($"/ledgers/{account}/history", ContractJson.Options, Ct);
        Assert.Equal(["ledger.money-withdrawn.v1", "ledger.money-deposited.v1", "ledger.opened.v1"], history!.Events.Select(e => e.Type));
        var older = await service.Client.GetFromJsonAsync<LedgerHistory>($"/ledgers/{account}/history?before=3&count=1", ContractJson.Options, Ct);
        Assert.Equal("ledger.money-deposited.v1", Assert.Single(older!.Events).Type);
    }

    [Fact]
    public async Task A_repeated_transaction_returns_the_original_outcome_and_appends_nothing()
    {
        var account = await service.OpenAccountAsync();
        var request = new { transactionId = Guid.NewGuid(), amount = 40m, currency = "EUR" };

        var first = await PostAsync<LedgerReceipt>(account, "deposits", request);
        var again = await PostAsync<LedgerReceipt>(account, "deposits", request);
        var twice = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostAsync<LedgerReceipt>(account, "deposits", request)));

        Assert.Equal(first, again);
        Assert.All(twice, receipt => Assert.Equal(first, receipt));
        Assert.Equal((40m, 2L), await BalanceAsync(account));
        using var reused = await PostAsync(account, "deposits", request with { amount = 41m });
        AssertProblem(reused, HttpStatusCode.UnprocessableEntity);
    }

    public static TheoryData<string> BadRequests() =>
    [
        """{"amount": 10, "currency": "EUR"}""",
        """{"transactionId": "00000000-0000-0000-0000-000000000000", "amount": 10, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 0, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": -5, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 10.001, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 1000000000.01, "currency": "EUR"}""",
        // More digits than decimal keeps: read as 10 with 28 decimals, not refused as 10.001 is, until the scale was checked.
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 10.00000000000000000000000000001, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 1e-30, "currency": "EUR"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 10, "currency": "eur"}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": 10}""",
        """{"transactionId": "7d0c3c4e-3a4b-4c8a-9a51-0c1e1f1a2b3c", "amount": "ten", "currency": "EUR"}""",
        """{not json""",
    ];

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_400_and_appends_nothing(string body)
    {
        var account = await service.OpenAccountAsync();

        using var response = await service.Client.PostAsync($"/ledgers/{account}/deposits", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal((0m, 0L), await BalanceAsync(account));
    }

    [Fact]
    public async Task Refusals_are_problem_details_and_append_nothing()
    {
        var account = await service.OpenAccountAsync();
        await PostAsync<LedgerReceipt>(account, "deposits", new { transactionId = Guid.NewGuid(), amount = 10m, currency = "EUR" });

        using (var overdraft = await PostAsync(account, "withdrawals", new { transactionId = Guid.NewGuid(), amount = 10.01m, currency = "EUR" }))
        {
            AssertProblem(overdraft, HttpStatusCode.Conflict);
        }

        using (var currency = await PostAsync(account, "deposits", new { transactionId = Guid.NewGuid(), amount = 1m, currency = "USD" }))
        {
            AssertProblem(currency, HttpStatusCode.UnprocessableEntity);
        }

        using (var unknown = await PostAsync(Guid.NewGuid(), "deposits", new { transactionId = Guid.NewGuid(), amount = 1m, currency = "EUR" }))
        {
            AssertProblem(unknown, HttpStatusCode.NotFound);
        }

        using (var toUnknown = await PostAsync(account, "transfers", new { transactionId = Guid.NewGuid(), toAccountId = Guid.NewGuid(), amount = 1m, currency = "EUR" }))
        {
            AssertProblem(toUnknown, HttpStatusCode.NotFound);
        }

        using (var toSelf = await PostAsync(account, "transfers", new { transactionId = Guid.NewGuid(), toAccountId = account, amount = 1m, currency = "EUR" }))
        {
            AssertProblem(toSelf, HttpStatusCode.BadRequest);
        }

        Assert.Equal((10m, 2L), await BalanceAsync(account));
    }

    [Fact]
    public async Task A_frozen_account_moves_no_money_until_unfrozen()
    {
        var account = await service.OpenAccountAsync();
        await PostAsync<LedgerReceipt>(account, "deposits", new { transactionId = Guid.NewGuid(), amount = 10m, currency = "EUR" });
        await service.ChangeAccountAsync(account, "freeze", new { reason = "suspicious" });

        await WaitForStatusAsync(account, AccountStatus.Frozen);

        using (var frozen = await PostAsync(account, "withdrawals", new { transactionId = Guid.NewGuid(), amount = 1m, currency = "EUR" }))
        {
            AssertProblem(frozen, HttpStatusCode.Conflict);
        }

        await service.ChangeAccountAsync(account, "unfreeze", new { reason = "checked" });
        await WaitForStatusAsync(account, AccountStatus.Open);
        await PostAsync<LedgerReceipt>(account, "withdrawals", new { transactionId = Guid.NewGuid(), amount = 1m, currency = "EUR" });
        Assert.Equal((9m, 3L), await BalanceAsync(account));
    }

    private Task WaitForStatusAsync(Guid account, AccountStatus status) =>
        Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct))!.Account?.Status == status,
            TimeSpan.FromSeconds(30), $"Transactions' copy to see account {account} {status}");

    private async Task<(decimal Balance, long Version)> BalanceAsync(Guid account)
    {
        var summary = await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct);
        return (summary!.Balance, summary.Version);
    }

    private Task<HttpResponseMessage> PostAsync(Guid account, string command, object body) =>
        service.Client.PostAsJsonAsync($"/ledgers/{account}/{command}", body, Ct);

    private async Task<T> PostAsync<T>(Guid account, string command, object body)
    {
        using var response = await PostAsync(account, command, body);
        Assert.True(response.IsSuccessStatusCode, $"{command}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(ContractJson.Options, Ct))!;
    }

    private static void AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
