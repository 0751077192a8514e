using System.Text.Json;
using static EventDriven.EndToEnd.Tests.SystemFixture;

namespace EventDriven.EndToEnd.Tests;

/// <summary>
/// The journeys of the issue, each over HTTP to the services with the test as its trace's root: the final state in
/// every service, exactly one connected trace holding every service it touched, no differences for reconciliation,
/// and no trace that no test started.
/// </summary>
[Collection(nameof(SystemCollection))]
public sealed class JourneyTests(SystemFixture fixture)
{
    private static readonly string[] AccountTopics = ["accounts.notifications", "accounts.deltas", "accounts.state"];

    [Fact]
    public async Task Open_deposit_transfer_refused_closure_money_moved_out_and_settled_closure_are_one_trace_and_agree_everywhere()
    {
        var journey = fixture.StartJourney("open, deposit, transfer, closure refused, money out, closure settled");
        var source = await OpenAsync(journey, "London");
        var target = await OpenAsync(journey, "Leeds");
        await WaitForLedgerAsync(source);
        await WaitForLedgerAsync(target);

        await SendAsync(journey, fixture.Transactions, HttpMethod.Post, $"/ledgers/{source}/deposits", Money(100.00m));
        await TransferAsync(journey, source, target, 40.00m, expectedTarget: 40.00m);

        // Refused: the ledger still holds 60. Account returns the account to open (closure requested, then rejected).
        var opened = await ReadAccountAsync(source);
        await SendAsync(journey, fixture.Account, HttpMethod.Post, $"/accounts/{source}/closure");
        var refused = await ReadUntilAsync(fixture.Account, $"/accounts/{source}",
            a => a.GetProperty("version").GetInt64() == opened.GetProperty("version").GetInt64() + 2, "the closure to be refused");
        Assert.Equal("open", refused.GetProperty("status").GetString());
        // Transactions takes money out only once its copy knows the account is open again.
        await ReadUntilAsync(fixture.Transactions, $"/ledgers/{source}", l => AccountCopyAt(l, refused), "Transactions' copy to know the closure refused");

        // The money moves out, and the closure is settled: the ledger closes, then Account closes the account.
        await TransferAsync(journey, source, target, 60.00m, expectedTarget: 100.00m);
        await SendAsync(journey, fixture.Account, HttpMethod.Post, $"/accounts/{source}/closure");
        var closed = await ReadUntilAsync(fixture.Account, $"/accounts/{source}", a => a.GetProperty("status").GetString() == "closed", "the account to be closed");

        var sourceLedger = await ReadUntilAsync(fixture.Transactions, $"/ledgers/{source}",
            l => l.GetProperty("closed").GetBoolean() && AccountCopyAt(l, closed), "the source ledger closed, its account copy closed");
        Assert.Equal(0m, sourceLedger.GetProperty("balance").GetDecimal());
        var targetLedger = await ReadUntilAsync(fixture.Transactions, $"/ledgers/{target}",
            l => l.GetProperty("balance").GetDecimal() == 100.00m && l.GetProperty("transfersUnderWay").GetInt32() == 0, "the target ledger to hold 100");
        await WaitForOverviewAsync(source, closed, sourceLedger, balance: 0m, status: "closed");
        var targetAccount = await ReadAccountAsync(target);
        await WaitForOverviewAsync(target, targetAccount, targetLedger, balance: 100.00m, status: "open");
        await WaitForStylesAsync(source, closed.GetProperty("version").GetInt64());
        await WaitForStylesAsync(target, targetAccount.GetProperty("version").GetInt64());

        await fixture.AssertOneConnectedTraceAsync(journey, ["account", "transactions", "kurrentdb", "reactor"], [.. AccountTopics, "transactions.events"]);
        await AssertReconciledAndNoOtherTracesAsync();
    }

    [Fact]
    public async Task A_large_withdrawal_raises_an_alert_that_freezes_the_account_in_one_trace()
    {
        var journey = fixture.StartJourney("large withdrawal, alert, freeze");
        var account = await OpenAsync(journey, "Bristol");
        await WaitForLedgerAsync(account);
        await SendAsync(journey, fixture.Transactions, HttpMethod.Post, $"/ledgers/{account}/deposits", Money(15_000.00m));
        // Above Reactor:Alerts:SingleLimit (10,000 by default).
        await SendAsync(journey, fixture.Transactions, HttpMethod.Post, $"/ledgers/{account}/withdrawals", Money(12_000.00m));

        var frozen = await ReadUntilAsync(fixture.Account, $"/accounts/{account}", a => a.GetProperty("status").GetString() == "frozen", "Account to freeze the account");
        var ledger = await ReadUntilAsync(fixture.Transactions, $"/ledgers/{account}", l => AccountCopyAt(l, frozen), "Transactions' copy to know the account frozen");
        Assert.Equal(3_000.00m, ledger.GetProperty("balance").GetDecimal());
        await WaitForOverviewAsync(account, frozen, ledger, balance: 3_000.00m, status: "frozen");
        await WaitForStylesAsync(account, frozen.GetProperty("version").GetInt64());

        await fixture.AssertOneConnectedTraceAsync(journey, ["account", "transactions", "kurrentdb", "reactor"], [.. AccountTopics, "transactions.events", "reactor.alerts"]);
        await AssertReconciledAndNoOtherTracesAsync();
    }

    [Fact]
    public async Task An_address_change_reaches_all_three_style_copies_in_one_trace()
    {
        var journey = fixture.StartJourney("address change, three styles");
        var account = await OpenAsync(journey, "York");
        await SendAsync(journey, fixture.Account, HttpMethod.Put, $"/accounts/{account}/address",
            new { street = "2 Station Road", city = "Durham", postalCode = "DH1 1AA", country = "GB" });
        var changed = await ReadAccountAsync(account);
        Assert.Equal("Durham", changed.GetProperty("address").GetProperty("city").GetString());
        var version = changed.GetProperty("version").GetInt64();

        var copies = await WaitForStylesAsync(account, version);
        foreach (var copy in copies.EnumerateArray())
        {
            Assert.Equal("Durham", copy.GetProperty("fields").GetProperty("address.city").GetString());
        }

        Assert.Equal(["delta", "notification", "state"], copies.EnumerateArray().Select(c => c.GetProperty("style").GetString()).Order());
        await ReadUntilAsync(fixture.Transactions, $"/ledgers/{account}", l => AccountCopyAt(l, changed), "Transactions' copy at the account's version");
        await ReadUntilAsync(fixture.Reactor, $"/overview/{account}",
            o => o.GetProperty("accountVersion").GetInt64() == version && o.GetProperty("city").GetString() == "Durham", "the overview at the new address");

        await fixture.AssertOneConnectedTraceAsync(journey, ["account", "transactions", "reactor"], AccountTopics);
        await AssertReconciledAndNoOtherTracesAsync();
    }

    [Fact]
    public async Task Start_up_and_an_idle_system_export_no_traces()
    {
        // Start-up is background work too: migrations, slots, subscriptions, first polls.
        Assert.True(fixture.StartupTraces.Count == 0,
            $"Start-up exported {fixture.StartupTraces.Count} traces:\n{TraceAssertions.Describe(fixture.Telemetry.Spans.Where(s => fixture.StartupTraces.Contains(s.TraceId)))}");
        await fixture.WaitUntilCaughtUpAsync();

        // A measurement, not a wait for a condition: twenty seconds of polling loops, leadership checks, checkpoints
        // and gauges in every process (the shortest of them run every second or two). A journey test that ran just
        // before may still export its last spans meanwhile; those belong to its trace, so only traces no test started
        // count.
        await Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var unknown = fixture.UnknownTracesSinceSettled();
        Assert.True(unknown.Count == 0, $"An idle system exported {unknown.Count} traces:\n{string.Join('\n', unknown.Select(TraceAssertions.Describe))}");
    }

    private async Task<Guid> OpenAsync(Journey journey, string city)
    {
        var opened = await SendAsync(journey, fixture.Account, HttpMethod.Post, "/accounts", new
        {
            ownerName = "Journey Tester",
            email = "journey@example.com",
            address = new { street = "1 High Street", city, postalCode = "AB1 2CD", country = "GB" },
            currency = "EUR",
        });
        return opened.GetProperty("accountId").GetGuid();
    }

    private static object Money(decimal amount) => new { transactionId = Guid.NewGuid(), amount, currency = "EUR" };

    /// <summary>A transfer is done when the source has no transfer under way and the target holds <paramref name="expectedTarget"/>.</summary>
    private async Task TransferAsync(Journey journey, Guid source, Guid target, decimal amount, decimal expectedTarget)
    {
        await SendAsync(journey, fixture.Transactions, HttpMethod.Post, $"/ledgers/{source}/transfers",
            new { transactionId = Guid.NewGuid(), toAccountId = target, amount, currency = "EUR" });
        await ReadUntilAsync(fixture.Transactions, $"/ledgers/{target}", l => l.GetProperty("balance").GetDecimal() == expectedTarget, $"the target to hold {expectedTarget}");
        await ReadUntilAsync(fixture.Transactions, $"/ledgers/{source}", l => l.GetProperty("transfersUnderWay").GetInt32() == 0, "the transfer to complete");
    }

    /// <summary>Transactions takes money only for an account its copy knows (it arrives through Kafka).</summary>
    private Task<JsonElement> WaitForLedgerAsync(Guid account) =>
        ReadUntilAsync(fixture.Transactions, $"/ledgers/{account}", l => l.TryGetProperty("account", out var copy) && copy.ValueKind == JsonValueKind.Object,
            "Transactions' copy of the new account");

    private async Task<JsonElement> ReadAccountAsync(Guid account) =>
        await ReadAsync(fixture.Account, $"/accounts/{account}") ?? throw new InvalidOperationException($"Account does not know {account}.");

    private static bool AccountCopyAt(JsonElement ledger, JsonElement account) =>
        ledger.TryGetProperty("account", out var copy) && copy.ValueKind == JsonValueKind.Object
        && copy.GetProperty("version").GetInt64() == account.GetProperty("version").GetInt64()
        && copy.GetProperty("status").GetString() == account.GetProperty("status").GetString();

    /// <summary>The notification, delta and fat-event copies (Reactor, each from its own topic) at the account's version.</summary>
    private Task<JsonElement> WaitForStylesAsync(Guid account, long version) =>
        ReadUntilAsync(fixture.Reactor, $"/styles/{account}",
            c => c.GetArrayLength() == 3 && c.EnumerateArray().All(copy => copy.GetProperty("version").GetInt64() == version),
            $"the notification, delta and fat-event copies of {account} at version {version}");

    /// <summary>Reactor's overview row reflects exactly the account's and the ledger's versions, with their status and balance.</summary>
    private async Task WaitForOverviewAsync(Guid id, JsonElement account, JsonElement ledger, decimal balance, string status)
    {
        var overview = await ReadUntilAsync(fixture.Reactor, $"/overview/{id}",
            o => o.GetProperty("accountVersion").GetInt64() == account.GetProperty("version").GetInt64()
                && o.GetProperty("ledgerVersion").GetInt64() == ledger.GetProperty("version").GetInt64(),
            $"Reactor's overview of {id} at the sources' versions");
        Assert.Equal(status, overview.GetProperty("status").GetString());
        Assert.Equal(balance, overview.GetProperty("balance").GetDecimal());
    }

    /// <summary>
    /// Reconciliation (Reactor's <c>POST /reconciliation</c>, the operator's, in a trace of the test's own) finds every copy equal to
    /// its source; and no trace was exported since start-up settled that a test did not start.
    /// </summary>
    private async Task AssertReconciledAndNoOtherTracesAsync()
    {
        var reconciliation = fixture.StartJourney("reconciliation");
        var report = await SendAsync(reconciliation, fixture.Operator.Reactor, HttpMethod.Post, "/reconciliation");
        Assert.True(report.GetProperty("differences").GetArrayLength() == 0, $"Reconciliation found differences: {report.GetRawText()}");

        var unknown = fixture.UnknownTracesSinceSettled();
        Assert.True(unknown.Count == 0, $"{unknown.Count} traces no test started:\n{string.Join('\n', unknown.Select(TraceAssertions.Describe))}");
    }
}
