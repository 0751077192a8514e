using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.Tests;

namespace EventDriven.Chaos.Tests;

/// <summary>
/// After the traffic: waits for quiet, then checks what the system holds against what the clients were told —
/// reconciliation without differences and with balanced totals, every accepted command's effect exactly once, every
/// refused command's effect absent, money conserved, every transfer ended, nothing dead-lettered.
/// </summary>
public sealed class ChaosChecks(DistributedApplication app, HttpClient account, HttpClient transactions, HttpClient reactor, ClientModel model, ChaosReport report)
{
    private static readonly string[] Services = ["account", "transactions", "reactor"];
    private static readonly string[] Resources = ["postgres", "kafka", "kurrentdb", .. Services];

    /// <summary>
    /// Quiet is every resource healthy and, twice in a row with nothing produced in between (the same high watermarks):
    /// every consumer's lag 0, Account's outbox empty, Transactions' publisher caught up, no transfer under way and no
    /// closure waiting. False, with a finding naming what was not, if that does not happen in time.
    /// </summary>
    public async Task<bool> WaitForQuietAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            report.Find($"Not every resource was healthy within {timeout} of the traffic's end.");
            return false;
        }
        catch (DistributedApplicationException exception)
        {
            // A resource that failed to start: a finding, reported with everything else the drill saw.
            report.Find(exception.Message);
            return false;
        }

        long? previous = null;
        var why = "not asked yet";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                var (quiet, watermarks, reason) = await QuietRoundAsync(deadline.Token);
                why = reason;
                if (quiet && previous == watermarks)
                {
                    return true;
                }

                previous = quiet ? watermarks : null;
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !deadline.IsCancellationRequested)
            {
                why = exception.Message;
                previous = null;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        report.Find($"The system was not quiet within {timeout} of the traffic's end: {why}.");
        return false;
    }

    private async Task<(bool Quiet, long Watermarks, string Why)> QuietRoundAsync(CancellationToken cancellationToken)
    {
        long watermarks = 0;
        foreach (var (name, http) in new[] { ("account", account), ("transactions", transactions), ("reactor", reactor) })
        {
            using var response = await http.GetAsync(new Uri("/status/consumers", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (false, 0, $"{name}'s consumer status answers {(int)response.StatusCode}");
            }

            foreach (var consumer in (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).EnumerateArray())
            {
                if (consumer.GetProperty("lag").GetInt64() != 0)
                {
                    return (false, 0, $"{name}'s {consumer.GetProperty("name").GetString()} has lag {consumer.GetProperty("lag").GetInt64()}");
                }

                watermarks += consumer.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("highWatermark").GetInt64());
            }
        }

        var outbox = (await ChaosClient.ReadAsync(account, "/status/outbox", cancellationToken))!.Value.GetProperty("backlog").GetInt64();
        if (outbox != 0)
        {
            return (false, 0, $"Account's outbox holds {outbox}");
        }

        var behind = (await ChaosClient.ReadAsync(transactions, "/status/publisher", cancellationToken))!.Value.GetProperty("eventsBehind").GetInt64();
        if (behind != 0)
        {
            return (false, 0, $"Transactions' publisher is {behind} events behind");
        }

        var underWay = (await LedgersAsync(cancellationToken)).Sum(l => l.TransfersUnderWay);
        if (underWay != 0)
        {
            return (false, 0, $"{underWay} transfers under way");
        }

        foreach (var closing in model.Accounts.Where(a => a.ClosureRequested))
        {
            if (await ChaosClient.ReadAsync(account, $"/accounts/{closing.Id}", cancellationToken) is { } state && state.GetProperty("status").GetString() == "closureRequested")
            {
                return (false, 0, $"the closure of {closing.Id} is still waiting");
            }
        }

        return (true, watermarks, "quiet");
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await ReconcileAsync(cancellationToken);
        var ledgers = (await LedgersAsync(cancellationToken)).ToDictionary(l => l.AccountId);
        var histories = new Dictionary<Guid, List<JsonElement>>();
        foreach (var subject in model.Accounts)
        {
            histories[subject.Id] = await HistoryAsync(subject.Id, cancellationToken);
        }

        CheckMoney(ledgers, histories);
        await CheckAccountsAsync(ledgers, cancellationToken);
        await CheckDeadLettersAsync(cancellationToken);
        report.Accounts = model.Accounts.Count;
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        using var response = await reactor.PostAsync(new Uri("/reconciliation", UriKind.Relative), null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            report.Find($"Reconciliation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return;
        }

        var reconciliation = (await response.Content.ReadFromJsonAsync<ReconciliationReport>(cancellationToken))!;
        report.Differences = reconciliation.Differences.Count;
        foreach (var difference in reconciliation.Differences.Take(20))
        {
            report.Find($"Reconciliation: {difference.AccountId} {difference.Copy}.{difference.Field} (from {difference.Source}) is {difference.Actual ?? "missing"}, expected {difference.Expected ?? "missing"}.");
        }

        foreach (var total in reconciliation.Totals.Where(t => t.LedgerBalances != t.DepositsMinusWithdrawals))
        {
            report.Find($"Reconciliation totals {total.Currency}: ledgers hold {total.LedgerBalances}, deposits − withdrawals {total.DepositsMinusWithdrawals}.");
        }
    }

    /// <summary>Every money command against the ledgers' histories; each account's balance and each currency's sum.</summary>
    private void CheckMoney(Dictionary<Guid, LedgerFactsRow> ledgers, Dictionary<Guid, List<JsonElement>> histories)
    {
        var expectedBalance = model.Accounts.ToDictionary(a => a.Id, _ => 0m);
        var byTransaction = histories.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.Where(e => e.GetProperty("event").TryGetProperty("transactionId", out _))
                .ToLookup(e => e.GetProperty("event").GetProperty("transactionId").GetGuid()));
        IEnumerable<JsonElement> Events(Guid accountId, Guid transactionId) =>
            byTransaction.TryGetValue(accountId, out var lookup) ? lookup[transactionId] : [];
        int Count(Guid accountId, Guid transactionId, string type) => Events(accountId, transactionId).Count(e => e.GetProperty("type").GetString() == type);

        foreach (var command in model.Money)
        {
            var (id, tx) = (command.AccountId, command.TransactionId);
            var what = $"{command.Kind} {tx} of {command.Amount} on {id}";
            if (command.Outcome == Outcome.Refused)
            {
                if (Events(id, tx).Any() || (command.ToAccountId is { } target && Events(target, tx).Any()))
                {
                    report.Find($"Refused {what} left an effect in a ledger.");
                }

                continue;
            }

            if (command.Outcome == Outcome.Unresolved)
            {
                continue;
            }

            switch (command.Kind)
            {
                case "deposit":
                    Once(what, Count(id, tx, LedgerEventTypes.MoneyDeposited), LedgerEventTypes.MoneyDeposited);
                    expectedBalance[id] += command.Amount;
                    break;
                case "withdrawal":
                    Once(what, Count(id, tx, LedgerEventTypes.MoneyWithdrawn), LedgerEventTypes.MoneyWithdrawn);
                    expectedBalance[id] -= command.Amount;
                    break;
                default:
                    Once(what, Count(id, tx, LedgerEventTypes.TransferDebited), LedgerEventTypes.TransferDebited);
                    var (completed, refunded) = (Count(id, tx, LedgerEventTypes.TransferCompleted), Count(id, tx, LedgerEventTypes.TransferRefunded));
                    var target = command.ToAccountId;
                    var credited = target is { } t ? Count(t, tx, LedgerEventTypes.TransferCredited) : 0;
                    if ((completed, refunded) == (1, 0) && credited == 1)
                    {
                        report.TransfersCompleted++;
                        expectedBalance[id] -= command.Amount;
                        expectedBalance[target!.Value] += command.Amount;
                        var credit = Events(target.Value, tx).Single(e => e.GetProperty("type").GetString() == LedgerEventTypes.TransferCredited).GetProperty("event");
                        if (credit.GetProperty("amount").GetDecimal() != command.Amount || credit.GetProperty("fromAccountId").GetGuid() != id)
                        {
                            report.Find($"Transfer {tx}: credited {credit.GetProperty("amount").GetDecimal()} from {credit.GetProperty("fromAccountId").GetGuid()}, sent {command.Amount} from {id}.");
                        }
                    }
                    else if ((completed, refunded) == (0, 1) && credited == 0)
                    {
                        report.TransfersRefunded++;
                    }
                    else
                    {
                        report.Find($"Accepted {what} to {target} did not end once: {completed} completed, {refunded} refunded, {credited} credited.");
                    }

                    break;
            }
        }

        foreach (var subject in model.Accounts)
        {
            var balance = ledgers.TryGetValue(subject.Id, out var ledger) ? ledger.Balance : 0m;
            if (balance != expectedBalance[subject.Id])
            {
                report.Find($"Ledger {subject.Id} holds {balance}; the accepted commands and ended transfers make {expectedBalance[subject.Id]}.");
            }
        }

        foreach (var currency in model.Accounts.Select(a => a.Currency).Distinct())
        {
            var accepted = model.Money.Where(c => c.Currency == currency && c.Outcome == Outcome.Accepted);
            var expected = accepted.Where(c => c.Kind == "deposit").Sum(c => c.Amount) - accepted.Where(c => c.Kind == "withdrawal").Sum(c => c.Amount);
            var held = model.Accounts.Where(a => a.Currency == currency).Sum(a => ledgers.TryGetValue(a.Id, out var l) ? l.Balance : 0m);
            report.Money[currency] = (expected, held);
            if (expected != held)
            {
                report.Find($"Money {currency} not conserved: deposits − withdrawals {expected}, ledgers hold {held}.");
            }
        }
    }

    private void Once(string what, int count, string type)
    {
        if (count != 1)
        {
            report.Find($"Accepted {what}: {count} × {type} in its ledger, not 1.");
        }
    }

    /// <summary>Each account as its owner was last told: address, status; a closure ended closed (ledger closed, empty) or undone.</summary>
    private async Task CheckAccountsAsync(Dictionary<Guid, LedgerFactsRow> ledgers, CancellationToken cancellationToken)
    {
        foreach (var subject in model.Accounts)
        {
            var state = (await ChaosClient.ReadAsync(account, $"/accounts/{subject.Id}", cancellationToken))!.Value;
            var (status, street) = (state.GetProperty("status").GetString(), state.GetProperty("address").GetProperty("street").GetString());
            if (street != subject.Street)
            {
                report.Find($"Account {subject.Id}: street '{street}', the last accepted change said '{subject.Street}'.");
            }

            var ledgerClosed = ledgers.TryGetValue(subject.Id, out var ledger) && ledger.Closed;
            if (status == "closed")
            {
                report.Closed++;
                if (!subject.ClosureRequested || !ledgerClosed || ledger!.Balance != 0)
                {
                    report.Find($"Account {subject.Id} is closed (closure accepted: {subject.ClosureRequested}; ledger closed: {ledgerClosed}, balance {ledger?.Balance}).");
                }
            }
            else if (status != subject.Status || ledgerClosed)
            {
                report.Find($"Account {subject.Id} is {status} (ledger closed: {ledgerClosed}); the last accepted freeze or unfreeze left it {subject.Status}.");
            }
        }
    }

    private async Task CheckDeadLettersAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, http) in new[] { ("account", account), ("transactions", transactions), ("reactor", reactor) })
        {
            foreach (var letter in (await ChaosClient.ReadAsync(http, "/dead-letters?all=true", cancellationToken))!.Value.EnumerateArray())
            {
                report.Find($"{name} dead-lettered {letter.GetProperty("sourceTopic").GetString()}@{letter.GetProperty("sourcePartition").GetInt32()}/{letter.GetProperty("sourceOffset").GetInt64()}: {letter.GetProperty("error").GetString()}");
            }
        }
    }

    private async Task<List<JsonElement>> HistoryAsync(Guid accountId, CancellationToken cancellationToken)
    {
        List<JsonElement> events = [];
        long? before = null;
        while (true)
        {
            var path = $"/ledgers/{accountId}/history?count=500" + (before is { } b ? $"&before={b.ToString(CultureInfo.InvariantCulture)}" : "");
            var page = (await ChaosClient.ReadAsync(transactions, path, cancellationToken))?.GetProperty("events").EnumerateArray().ToList() ?? [];
            events.AddRange(page);
            if (page.Count < 500)
            {
                return events;
            }

            before = page.Min(e => e.GetProperty("event").GetProperty("version").GetInt64());
        }
    }

    private async Task<IReadOnlyList<LedgerFactsRow>> LedgersAsync(CancellationToken cancellationToken) =>
        [.. (await ChaosClient.ReadAsync(transactions, "/reconciliation/ledgers", cancellationToken))!.Value.GetProperty("ledgers").EnumerateArray()
            .Select(l => new LedgerFactsRow(l.GetProperty("accountId").GetGuid(), l.GetProperty("balance").GetDecimal(), l.GetProperty("closed").GetBoolean(), l.GetProperty("transfersUnderWay").GetInt32()))];

    private sealed record LedgerFactsRow(Guid AccountId, decimal Balance, bool Closed, int TransfersUnderWay);
}
