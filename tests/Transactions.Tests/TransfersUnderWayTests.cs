using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventDriven.Transactions.Tests;

/// <summary>
/// Transfers under way (debited, neither completed nor refunded): as the ledgers' fold reports them to reconciliation,
/// as the tracker keeps them (its table, and the gauges read from memory), and after a restart. A transfer is held up
/// honestly: the choreography's consumer paused, or no publisher at all, so its debit is never answered.
/// </summary>
[Collection(TransactionsCollection.Name)]
public sealed class TransfersUnderWayTests(TransactionsFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transfer_not_yet_credited_is_under_way_since_its_debit_in_the_ledgers_and_the_gauges_and_gone_once_completed()
    {
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        await DepositAsync(service.Client, source, 100m);
        var gate = service.Transactions.Services.GetRequiredService<ConsumerGate>();
        var tracked = service.Transactions.Services.GetRequiredService<TransfersUnderWay>();
        var tx = Guid.NewGuid();

        await gate.PauseAsync(Ct);
        try
        {
            // Nothing moves a transfer on while the choreography is paused: what is under way now stays so.
            var before = (await LedgersAsync()).TransfersUnderWay;
            var debit = await TransferAsync(service.Client, source, target, tx, 30m);

            var expected = new TransferUnderWay(tx, source, target, 30m, "EUR", debit.OccurredAt);
            var report = await LedgersAsync();
            Assert.Equal(expected, Assert.Single(report.TransfersUnderWay, t => t.TransactionId == tx));
            Assert.Equal(before.Count + 1, report.TransfersUnderWay.Count);
            Assert.Equal(report.TransfersUnderWay.OrderBy(t => t.StartedAt).ThenBy(t => t.TransactionId), report.TransfersUnderWay);
            Assert.Equal(1, Assert.Single(report.Ledgers, l => l.AccountId == source).TransfersUnderWay);

            // The tracker follows the ledger events; once it has the debit, the gauges count it, and after the (test's
            // one-second) threshold it is overdue, with everything else under way.
            await Poll.UntilAsync(() => Task.FromResult(tracked.Contains(source, tx)), Patience, $"the tracker to see transfer {tx}");
            await Poll.UntilAsync(() => Task.FromResult(Gauges().TryGetValue("transactions.transfers.overdue", out var overdue) && overdue == before.Count + 1), Patience, "every transfer under way to be overdue");
            var gauges = Gauges();
            Assert.Equal(before.Count + 1, gauges["transactions.transfers.under_way"]);
            var oldest = report.TransfersUnderWay[0].StartedAt;
            Assert.InRange(gauges["transactions.transfers.under_way.oldest_age"], (DateTimeOffset.UtcNow - oldest).TotalSeconds - 5, (DateTimeOffset.UtcNow - oldest).TotalSeconds + 1);
            Assert.Contains(tx, await TableAsync(service.TransactionsDatabase, source));
        }
        finally
        {
            gate.Resume();
        }

        await Poll.UntilAsync(async () => (await ReceiptAsync(source, tx)).Type == LedgerEventTypes.TransferCompleted, Patience, $"transfer {tx} to complete");
        Assert.DoesNotContain((await LedgersAsync()).TransfersUnderWay, t => t.TransactionId == tx);
        await Poll.UntilAsync(() => Task.FromResult(!tracked.Contains(source, tx)), Patience, $"the tracker to see transfer {tx} end");
        Assert.DoesNotContain(tx, await TableAsync(service.TransactionsDatabase, source));
    }

    [Fact]
    public async Task A_completed_and_a_refunded_transfer_are_not_under_way()
    {
        var (source, target, dollars) = (await service.OpenAccountAsync(), await service.OpenAccountAsync(), await service.OpenAccountAsync("USD"));
        await DepositAsync(service.Client, source, 100m);
        var (completed, refunded) = (Guid.NewGuid(), Guid.NewGuid());

        await TransferAsync(service.Client, source, target, completed, 10m);
        await TransferAsync(service.Client, source, dollars, refunded, 20m);

        await Poll.UntilAsync(async () => (await ReceiptAsync(source, completed)).Type == LedgerEventTypes.TransferCompleted, Patience, "the transfer to complete");
        await Poll.UntilAsync(async () => (await ReceiptAsync(source, refunded)).Type == LedgerEventTypes.TransferRefunded, Patience, "the transfer to be refunded");
        var report = await LedgersAsync();
        Assert.DoesNotContain(report.TransfersUnderWay, t => t.FromAccountId == source);
        Assert.Equal(0, Assert.Single(report.Ledgers, l => l.AccountId == source).TransfersUnderWay);
        // The last ledger event is a completion or a refund, which the tracker saves with its position: once that position
        // is the report's, the tracker has read both transfers to their end.
        var tracked = service.Transactions.Services.GetRequiredService<TransfersUnderWay>();
        await Poll.UntilAsync(async () => await TrackedUpToAsync(service.TransactionsDatabase) >= report.ReadUpTo, Patience, "the tracker to read up to the refund");
        Assert.False(tracked.Contains(source, completed));
        Assert.False(tracked.Contains(source, refunded));
        Assert.Empty(await TableAsync(service.TransactionsDatabase, source));
    }

    [Fact]
    public async Task A_transfer_never_published_stays_under_way_and_a_restarted_tracker_still_has_it_from_its_table()
    {
        // A world of its own without a publisher: the debit never reaches Kafka, so nobody ever answers it.
        await using var world = await service.StartUnpublishedWorldAsync();
        var (source, target) = (await service.OpenAccountAsync(), await service.OpenAccountAsync());
        var tx = Guid.NewGuid();
        LedgerReceipt debit;
        await using (var first = world.Start())
        {
            await TransactionsFixture.WaitUntilKnownAsync(source, service.ClientFor(first));
            await TransactionsFixture.WaitUntilKnownAsync(target, service.ClientFor(first));
            await DepositAsync(service.ClientFor(first), source, 50m);
            debit = await TransferAsync(service.ClientFor(first), source, target, tx, 50m);
            var tracked = first.Services.GetRequiredService<TransfersUnderWay>();
            await Poll.UntilAsync(() => Task.FromResult(tracked.Contains(source, tx)), Patience, $"the tracker to see transfer {tx}");
        }

        await using var restarted = world.Start();
        var again = restarted.Services.GetRequiredService<TransfersUnderWay>();
        await Poll.UntilAsync(() => Task.FromResult(again.Summarize() is not null), Patience, "the restarted tracker to lead");
        Assert.True(again.Contains(source, tx));
        Assert.Equal(1, again.Summarize()!.Count);
        await Poll.UntilAsync(() => Task.FromResult(again.Summarize()!.Overdue == 1), Patience, "the transfer to be overdue");
        Assert.InRange(again.Summarize()!.OldestAge, DateTimeOffset.UtcNow - debit.OccurredAt - TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow - debit.OccurredAt + TimeSpan.FromSeconds(1));
        var report = (await service.ClientFor(restarted, TestUser.Operator).GetFromJsonAsync<LedgerFactsReport>("/reconciliation/ledgers", ContractJson.Options, Ct))!;
        Assert.Equal(new TransferUnderWay(tx, source, target, 50m, "EUR", debit.OccurredAt), Assert.Single(report.TransfersUnderWay));
    }

    private Dictionary<string, double> Gauges()
    {
        // This host's meters only: other hosts in the test process have meters of the same names.
        var factory = service.Transactions.Services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name.StartsWith("transactions.transfers.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private async Task<LedgerFactsReport> LedgersAsync() =>
        (await service.Operator.GetFromJsonAsync<LedgerFactsReport>("/reconciliation/ledgers", ContractJson.Options, Ct))!;

    private async Task<LedgerReceipt> ReceiptAsync(Guid account, Guid tx) =>
        (await service.Client.GetFromJsonAsync<LedgerReceipt>($"/ledgers/{account}/transactions/{tx}", ContractJson.Options, Ct))!;

    private static async Task DepositAsync(HttpClient client, Guid account, decimal amount)
    {
        using var response = await client.PostAsJsonAsync($"/ledgers/{account}/deposits", new { transactionId = Guid.NewGuid(), amount, currency = "EUR" }, Ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<LedgerReceipt> TransferAsync(HttpClient client, Guid source, Guid target, Guid tx, decimal amount)
    {
        using var response = await client.PostAsJsonAsync($"/ledgers/{source}/transfers", new { transactionId = tx, toAccountId = target, amount, currency = "EUR" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LedgerReceipt>(ContractJson.Options, Ct))!;
    }

    /// <summary>The transactions the tracker's table holds as under way from <paramref name="source"/>.</summary>
    private static async Task<List<Guid>> TableAsync(string database, Guid source)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT transaction_id FROM transfers_under_way WHERE from_account_id = $1");
        command.Parameters.Add(new() { Value = source });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(Ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task<ulong?> TrackedUpToAsync(string database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT commit_position FROM transfers_under_way_position");
        return await command.ExecuteScalarAsync(Ct) is decimal position ? (ulong)position : null;
    }
}
