using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Tests;
using Npgsql;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// Reconciliation over the whole AppHost in local mode: after real journeys every copy agrees with the sources of
/// truth; a copy broken on purpose is reported as exactly that difference, and agrees again once restored. The
/// AppHost is this class's own, so "no differences" is a claim about the whole system, not about a test's accounts.
/// </summary>
public sealed class ReconciliationTests(LocalAppHostFixture fixture) : IClassFixture<LocalAppHostFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_changed_read_model_balance_is_reported_as_exactly_that_difference()
    {
        var ct = TestContext.Current.CancellationToken;
        var (from, _) = await MoveMoneyAndSettleAsync(ct);
        using var reactor = fixture.Client("reactor", TestUser.Operator);

        var clean = await ReconcileAsync(reactor, ct);
        Assert.Empty(clean.Differences);
        Assert.True(clean.Accounts >= 2 && clean.Ledgers >= 2, $"{clean.Accounts} accounts, {clean.Ledgers} ledgers");
        var eur = Assert.Single(clean.Totals, t => t.Currency == "EUR");
        Assert.Equal(eur.DepositsMinusWithdrawals, eur.LedgerBalances);
        Assert.True(eur.LedgerBalances >= 150m - 20m, $"EUR {eur.LedgerBalances}");
        Assert.Contains("reactor.account_overview", clean.Copies);

        await using var reactorDb = NpgsqlDataSource.Create(await fixture.App.GetConnectionStringAsync("reactordb", ct) ?? throw new InvalidOperationException("No reactordb."));
        await ExecuteAsync(reactorDb, "UPDATE account_overview SET balance = 999.99 WHERE account_id = $1", from, ct);
        try
        {
            var broken = await ReconcileAsync(reactor, ct);
            var difference = Assert.Single(broken.Differences);
            Assert.Equal((from, "reactor.account_overview", "balance", "ledgers"), (difference.AccountId, difference.Copy, difference.Field, difference.Source));
            Assert.Equal(105m, decimal.Parse(difference.Expected!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("999.99", difference.Actual);

            // The dashboard command says as much.
            var command = await fixture.App.ResourceCommands.ExecuteCommandAsync("reactor", "reconcile", ct);
            Assert.True(command.Success, command.Message);
            Assert.StartsWith("1 difference ", command.Message);
        }
        finally
        {
            await ExecuteAsync(reactorDb, "UPDATE account_overview SET balance = 105 WHERE account_id = $1", from, ct);
        }

        Assert.Empty((await ReconcileAsync(reactor, ct)).Differences);
        var agreed = await fixture.App.ResourceCommands.ExecuteCommandAsync("reactor", "reconcile", ct);
        Assert.True(agreed.Success, agreed.Message);
        Assert.StartsWith("No differences", agreed.Message);
    }

    [Fact]
    public async Task A_changed_status_in_Transactions_account_copy_is_reported_as_exactly_that_difference()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, to) = await MoveMoneyAndSettleAsync(ct);
        using var reactor = fixture.Client("reactor", TestUser.Operator);
        Assert.Empty((await ReconcileAsync(reactor, ct)).Differences);

        await using var transactionsDb = NpgsqlDataSource.Create(await fixture.App.GetConnectionStringAsync("transactionsdb", ct) ?? throw new InvalidOperationException("No transactionsdb."));
        await ExecuteAsync(transactionsDb, "UPDATE account_copy SET status = 'Frozen' WHERE id = $1", to, ct);
        try
        {
            var difference = Assert.Single((await ReconcileAsync(reactor, ct)).Differences);
            Assert.Equal(new ReconciliationDifference(to, "transactions.account_copy", "status", "accounts", "open", "frozen"), difference);
        }
        finally
        {
            await ExecuteAsync(transactionsDb, "UPDATE account_copy SET status = 'Open' WHERE id = $1", to, ct);
        }

        Assert.Empty((await ReconcileAsync(reactor, ct)).Differences);
    }

    /// <summary>
    /// Two EUR accounts, a deposit of 150 and a withdrawal of 20 on the first, a transfer of 25 to the second and an
    /// address change on it; then waits until every copy holds exactly the sources' versions.
    /// </summary>
    private async Task<(Guid From, Guid To)> MoveMoneyAndSettleAsync(CancellationToken ct)
    {
        // The customer moves their own money; the operator looks at every copy.
        using var account = fixture.Client("account", TestUser.Customer);
        using var transactions = fixture.Client("transactions", TestUser.Customer);
        using var reactor = fixture.Client("reactor", TestUser.Operator);
        var (from, to) = (await account.OpenAccountAsync("EUR", ct), await account.OpenAccountAsync("EUR", ct));
        foreach (var id in new[] { from, to })
        {
            await Poll.UntilAsync(async () => (await transactions.GetAsync($"/ledgers/{id}", ct)).IsSuccessStatusCode, Settle, "Transactions to know the account");
        }

        await SendAsync(transactions, $"/ledgers/{from}/deposits", new { transactionId = Guid.NewGuid(), amount = 150.00m, currency = "EUR" }, HttpStatusCode.OK, ct);
        await SendAsync(transactions, $"/ledgers/{from}/withdrawals", new { transactionId = Guid.NewGuid(), amount = 20m, currency = "EUR" }, HttpStatusCode.OK, ct);
        await SendAsync(transactions, $"/ledgers/{from}/transfers", new { transactionId = Guid.NewGuid(), toAccountId = to, amount = 25m, currency = "EUR" }, HttpStatusCode.Accepted, ct);
        using (await account.SendCommandAsync(HttpMethod.Put, $"/accounts/{to}/address",
            new { street = "2 Side Street", city = "Leeds", postalCode = "LS1 4AP", country = "GB" }, ct))
        {
        }

        // The transfer is over (credited, then completed on the source), so no money is under way.
        await Poll.UntilAsync(async () => (await LedgerAsync(transactions, from, ct)).GetProperty("transfersUnderWay").GetInt32() == 0
            && (await LedgerAsync(transactions, to, ct)).GetProperty("balance").GetDecimal() == 25m, Settle, "the transfer to complete");
        foreach (var id in new[] { from, to })
        {
            await SettledAsync(account, transactions, reactor, id, ct);
        }

        return (from, to);
    }

    /// <summary>Every copy of the account at the sources' exact versions: Transactions' copy, the overview, the three styles.</summary>
    private static async Task SettledAsync(HttpClient account, HttpClient transactions, HttpClient reactor, Guid id, CancellationToken ct)
    {
        var accountVersion = (await account.GetFromJsonAsync<JsonElement>($"/accounts/{id}", ct)).GetProperty("version").GetInt64();
        var ledgerVersion = (await LedgerAsync(transactions, id, ct)).GetProperty("version").GetInt64();
        await Poll.UntilAsync(async () => (await LedgerAsync(transactions, id, ct)).GetProperty("account").GetProperty("version").GetInt64() == accountVersion,
            Settle, $"Transactions' copy of {id} at version {accountVersion}");
        await Poll.UntilAsync(async () =>
        {
            using var response = await reactor.GetAsync($"/overview/{id}", ct);
            var overview = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(ct) : default;
            return response.IsSuccessStatusCode
                && overview.GetProperty("accountVersion").GetInt64() == accountVersion && overview.GetProperty("ledgerVersion").GetInt64() == ledgerVersion;
        }, Settle, $"Reactor's overview of {id} at account version {accountVersion} and ledger version {ledgerVersion}");
        await Poll.UntilAsync(async () =>
        {
            using var response = await reactor.GetAsync($"/styles/{id}", ct);
            var copies = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(ct) : default;
            return response.IsSuccessStatusCode && copies.GetArrayLength() == 3 && copies.EnumerateArray().All(c => c.GetProperty("version").GetInt64() == accountVersion);
        }, Settle, $"the three style copies of {id} at version {accountVersion}");
    }

    private static async Task<JsonElement> LedgerAsync(HttpClient transactions, Guid id, CancellationToken ct) =>
        await transactions.GetFromJsonAsync<JsonElement>($"/ledgers/{id}", ct);

    private static async Task SendAsync(HttpClient http, string path, object body, HttpStatusCode expected, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, ct);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    private static async Task<ReconciliationReport> ReconcileAsync(HttpClient reactor, CancellationToken ct)
    {
        using var response = await reactor.PostAsync("/reconciliation", null, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<ReconciliationReport>(body, ContractJson.Options)!;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource database, string sql, Guid id, CancellationToken ct)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new() { Value = id });
        Assert.Equal(1, await command.ExecuteNonQueryAsync(ct));
    }
}
