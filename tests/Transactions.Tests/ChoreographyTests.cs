using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// Transfers and closures by choreography, end to end: Transactions' publisher, Kafka, its own consumers, and Account's
/// consumer of the closure answers. No money is created or destroyed on the way.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed class ChoreographyTests(TransactionsFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transfer_is_debited_credited_and_completed()
    {
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(source, 100m);
        var tx = Guid.NewGuid();

        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 30m, currency = "EUR" }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/ledgers/{source}/transactions/{tx}", response.Headers.Location?.ToString());
        await WaitForStepAsync(source, tx, LedgerEventTypes.TransferCompleted);
        Assert.Equal((70m, 0), await SummaryAsync(source));
        Assert.Equal((30m, 0), await SummaryAsync(target));
        var credited = await ReceiptAsync(target, tx, from: source);
        Assert.Equal((LedgerEventTypes.TransferCredited, 30m), (credited.Type, credited.Balance));
    }

    [Fact]
    public async Task A_debit_message_that_differs_from_what_the_source_recorded_credits_nothing_and_is_parked()
    {
        var (source, target, other) = (await service.OpenAccountAsync(), await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(source, 100m);
        await DepositAsync(other, 1m);
        var gate = service.Transactions.Services.GetRequiredService<ConsumerGate>();
        var tx = Guid.NewGuid();

        // While the transfer is under way, a copy of its debit message with another amount and target follows it.
        await gate.PauseAsync(Ct);
        try
        {
            using var response = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 10m, currency = "EUR" }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var real = (await service.Kafka.ReadAsync(Topics.TransactionEvents, source, 3))[2];
            var forged = Assert.IsType<TransferDebited>(Read(real)) with { Amount = 1000m, ToAccountId = other };
            using var producer = new Confluent.Kafka.ProducerBuilder<string, string>(new Confluent.Kafka.ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build();
            await producer.ProduceAsync(Topics.TransactionEvents, new Confluent.Kafka.Message<string, string>
            {
                Key = real.Key,
                Value = System.Text.Json.JsonSerializer.Serialize(forged, ContractJson.Options),
                Headers = real.Headers,
            }, Ct);
        }
        finally
        {
            gate.Resume();
        }

        await WaitForStepAsync(source, tx, LedgerEventTypes.TransferCompleted);
        var parked = await Poll.UntilAsync(async () =>
            (await service.Operator.GetFromJsonAsync<List<DeadLetter>>("/dead-letters", ContractJson.Options, Ct))!
                .FirstOrDefault(d => d.Key == source.ToString() && d.Error.Contains(tx.ToString(), StringComparison.Ordinal)),
            Patience, $"the forged debit of {tx} to be parked");
        Assert.Contains("is not what ledger", parked.Error, StringComparison.Ordinal);
        Assert.Equal((90m, 0), await SummaryAsync(source));
        Assert.Equal((10m, 0), await SummaryAsync(target));
        Assert.Equal((1m, 0), await SummaryAsync(other));
    }

    [Fact]
    public async Task A_debit_message_that_differs_from_what_the_source_recorded_is_parked_also_after_the_transfer_ended()
    {
        var (source, target, other) = (await service.OpenAccountAsync(), await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(source, 100m);
        var tx = Guid.NewGuid();
        using (var response = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 10m, currency = "EUR" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await WaitForStepAsync(source, tx, LedgerEventTypes.TransferCompleted);
        // Completed: the source's entry for the transfer is now its completion, and a forged copy of the debit comes late.
        var real = (await service.Kafka.ReadAsync(Topics.TransactionEvents, source, 3))[2];
        var forged = Assert.IsType<TransferDebited>(Read(real)) with { Amount = 1000m, ToAccountId = other };
        using (var producer = new Confluent.Kafka.ProducerBuilder<string, string>(new Confluent.Kafka.ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(Topics.TransactionEvents, new Confluent.Kafka.Message<string, string>
            {
                Key = real.Key,
                Value = System.Text.Json.JsonSerializer.Serialize(forged, ContractJson.Options),
                Headers = real.Headers,
            }, Ct);
        }

        var parked = await Poll.UntilAsync(async () =>
            (await service.Operator.GetFromJsonAsync<List<DeadLetter>>("/dead-letters", ContractJson.Options, Ct))!
                .FirstOrDefault(d => d.Key == source.ToString() && d.Error.Contains(tx.ToString(), StringComparison.Ordinal)),
            Patience, $"the late forged debit of {tx} to be parked");
        Assert.Contains("is not what ledger", parked.Error, StringComparison.Ordinal);
        Assert.Equal((90m, 0), await SummaryAsync(source));
        Assert.Equal((0m, 0), await SummaryAsync(other));
    }

    [Fact]
    public async Task A_transfer_to_a_closed_account_is_refunded()
    {
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(source, 50m);
        await service.ChangeAccountAsync(target, "closure", new { });
        await WaitForAccountAsync(target, AccountStatus.Closed);
        var tx = Guid.NewGuid();

        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 20m, currency = "EUR" }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await WaitForStepAsync(source, tx, LedgerEventTypes.TransferRefunded);
        Assert.Equal((50m, 0), await SummaryAsync(source));
        Assert.Equal(0m, (await SummaryAsync(target)).Balance);
        Assert.Equal(LedgerEventTypes.TransferDeclined, (await ReceiptAsync(target, tx, from: source)).Type);
        var refunded = Assert.IsType<TransferRefunded>(Assert.Single(
            (await service.Kafka.ReadAsync(Topics.TransactionEvents, source, 4)).Select(Read).OfType<TransferRefunded>()));
        Assert.Contains("closed", refunded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transfer_in_another_currency_is_refunded()
    {
        var (source, target) = (await service.OpenAccountAsync("EUR"), await service.OpenAccountAsync("USD"));
        await DepositAsync(source, 10m);
        var tx = Guid.NewGuid();

        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount = 10m, currency = "EUR" }, Ct);

        await WaitForStepAsync(source, tx, LedgerEventTypes.TransferRefunded);
        Assert.Equal((10m, 0), await SummaryAsync(source));
    }

    [Fact]
    public async Task An_empty_account_closes_and_one_with_money_stays_open()
    {
        var (empty, funded) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(funded, 12.50m);

        await service.ChangeAccountAsync(empty, "closure", new { });
        await service.ChangeAccountAsync(funded, "closure", new { });

        await WaitForAccountAsync(empty, AccountStatus.Closed);
        await WaitForAccountAsync(funded, AccountStatus.Open);
        var refused = Read(Assert.Single(await service.Kafka.ReadAsync(Topics.TransactionEvents, funded, 3), m => m.Headers.Any(h => h.Key == "ce_type")
            && CloudEventHeaders.Read(m.Headers, "ce_type") == LedgerEventTypes.ClosureRefused));
        Assert.Contains("12.50 EUR", Assert.IsType<ClosureRefused>(refused).Reason, StringComparison.Ordinal);
        Assert.True((await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{empty}", ContractJson.Options, Ct))!.Closed);
    }

    [Fact]
    public async Task Ledger_events_reach_Kafka_with_cloud_event_headers_and_the_requests_trace()
    {
        var account = await service.OpenAccountAsync();
        // The caller's trace (as the web app's would be): the HTTP client propagates it in traceparent.
        using var caller = new System.Diagnostics.Activity("test caller");
        caller.SetParentId(System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom(), System.Diagnostics.ActivityTraceFlags.Recorded);
        caller.Start();
        var traceId = caller.TraceId.ToHexString();
        var receipt = await DepositAsync(account, 5m);
        caller.Stop();

        var messages = await service.Kafka.ReadAsync(Topics.TransactionEvents, account, 2);

        Assert.Equal([LedgerEventTypes.Opened, LedgerEventTypes.MoneyDeposited], messages.Select(m => CloudEventHeaders.Read(m.Headers, "ce_type")));
        var deposited = messages[1];
        Assert.Equal(receipt.EventId.ToString(), CloudEventHeaders.Read(deposited.Headers, "ce_id"));
        Assert.Equal(LedgerEventTypes.Source, CloudEventHeaders.Read(deposited.Headers, "ce_source"));
        Assert.Equal("1.0", CloudEventHeaders.Read(deposited.Headers, "ce_specversion"));
        Assert.Equal("application/json", CloudEventHeaders.Read(deposited.Headers, "content-type"));
        // The publisher's send continues the trace of the HTTP request that appended the event.
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", CloudEventHeaders.Read(deposited.Headers, "traceparent"));
        Assert.Equal(new MoneyDeposited(receipt.EventId, account, 2, receipt.OccurredAt, receipt.TransactionId, 5m, "EUR", 5m), Read(deposited));
    }

    private async Task<LedgerReceipt> DepositAsync(Guid account, decimal amount)
    {
        using var response = await service.Client.PostAsJsonAsync($"/ledgers/{account}/deposits", new { transactionId = Guid.NewGuid(), amount, currency = "EUR" }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LedgerReceipt>(ContractJson.Options, Ct))!;
    }

    private async Task<(decimal Balance, int UnderWay)> SummaryAsync(Guid account)
    {
        var summary = await service.Client.GetFromJsonAsync<LedgerSummary>($"/ledgers/{account}", ContractJson.Options, Ct);
        return (summary!.Balance, summary.TransfersUnderWay);
    }

    private async Task<LedgerReceipt> ReceiptAsync(Guid account, Guid tx, Guid? from = null) =>
        (await service.Client.GetFromJsonAsync<LedgerReceipt>($"/ledgers/{account}/transactions/{tx}{(from is null ? "" : $"?from={from}")}", ContractJson.Options, Ct))!;

    private Task WaitForStepAsync(Guid account, Guid tx, string type) =>
        Poll.UntilAsync(async () => (await ReceiptAsync(account, tx)).Type == type, Patience, $"transaction {tx} to reach {type}");

    private Task WaitForAccountAsync(Guid account, AccountStatus status) =>
        Poll.UntilAsync(async () => (await service.Account.GetFromJsonAsync<AccountSnapshot>($"/accounts/{account}", ContractJson.Options, Ct))!.Status == status,
            Patience, $"account {account} to be {status}");

    private static LedgerEvent Read(Confluent.Kafka.Message<string, string> message) =>
        LedgerEventTypes.Deserialize(CloudEventHeaders.Read(message.Headers, "ce_type"), System.Text.Encoding.UTF8.GetBytes(message.Value));
}
