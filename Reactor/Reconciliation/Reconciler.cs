using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Reactor.Styles;
using Microsoft.Extensions.Options;

namespace EventDriven.Reactor.Reconciliation;

/// <summary>A source or a copy could not be read (a service down, the broker away): the run reports nothing.</summary>
public sealed class ReconciliationUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// One reconciliation run: every copy is read first (Reactor's own rows, Transactions' account copy, the state topic,
/// at the same time), then the sources (Account's accounts, Transactions' ledgers), and the two compared
/// (<see cref="ReconciliationComparison"/>), and the transfers the ledgers say are under way for longer than
/// <see cref="ReconciliationOptions.TransferOverdueAfter"/> reported. Copies first, so that a change in flight shows as a copy behind its
/// source, never ahead of it; such a difference is real at that moment and gone in a later run. It only reads: no
/// lock is taken and no consumer waits. Its span is the operator's journey; the differences found are counted per copy
/// (<c>reactor.reconciliation.differences</c>) and logged without their values (which may be personal); the overdue
/// transfers are counted (<c>reactor.reconciliation.overdue_transfers</c>) and logged by their ids and age.
/// </summary>
public sealed partial class Reconciler
{
    private const int PageSize = 1000;
    private static readonly ActivitySource Source = new(ReactorTelemetry.Name);

    private readonly ReactorCopiesReader _reactor;
    private readonly AccountStateTopicReader _topic;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _overdueAfter;
    private readonly ILogger<Reconciler> _logger;
    private readonly Counter<long> _differences;
    private readonly Counter<long> _overdue;
    private readonly Counter<long> _runs;

    public Reconciler(
        ReactorCopiesReader reactor, AccountStateTopicReader topic, IHttpClientFactory http, TimeProvider time, IOptions<ReconciliationOptions> options,
        IMeterFactory meters, ILogger<Reconciler> logger)
    {
        (_reactor, _topic, _http, _time, _overdueAfter, _logger) = (reactor, topic, http, time, options.Value.TransferOverdueAfter, logger);
        var meter = meters.Create(ReactorTelemetry.Name);
        _differences = meter.CreateCounter<long>("reactor.reconciliation.differences", "{difference}", "Differences reconciliation found, per copy.");
        _overdue = meter.CreateCounter<long>("reactor.reconciliation.overdue_transfers", "{transfer}",
            "Transfers reconciliation found under way for longer than Reactor:Reconciliation:TransferOverdueAfter.");
        _runs = meter.CreateCounter<long>("reactor.reconciliation.runs", "{run}", "Reconciliation runs completed.");
    }

    public async Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity("reconcile");
        var checkedAt = _time.GetUtcNow();
        ReconciliationInput input;
        try
        {
            var reactor = _reactor.ReadAsync(cancellationToken);
            var transactionsCopy = ReadPagesAsync<AccountCopyPage, AccountCopyEntry>(ReactorServices.TransactionsApi, "/reconciliation/account-copy",
                page => (page.Items, page.Next), cancellationToken);
            var topic = _topic.ReadAsync(cancellationToken);
            await Task.WhenAll(reactor, transactionsCopy, topic);

            var accounts = ReadPagesAsync<AccountSnapshotPage, AccountSnapshot>(StyleHandlers.AccountApi, "/reconciliation/accounts",
                page => (page.Items, page.Next), cancellationToken);
            var ledgers = _http.CreateClient(ReactorServices.TransactionsApi)
                .GetFromJsonAsync<LedgerFactsReport>(new Uri("/reconciliation/ledgers", UriKind.Relative), ContractJson.Options, cancellationToken);
            await Task.WhenAll(accounts, ledgers);
            input = new ReconciliationInput(await accounts, await ledgers ?? throw new InvalidDataException("Transactions answered no ledgers."), await topic, await transactionsCopy, await reactor);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw new ReconciliationUnavailableException($"Reconciliation could not read everything it compares: {exception.Message}", exception);
        }

        var (totals, differences) = ReconciliationComparison.Compare(input);
        var report = new ReconciliationReport(checkedAt, input.Accounts.Count, input.Ledgers.Ledgers.Count, ReconciliationComparison.Copies, totals, differences)
        {
            TransferOverdueAfter = _overdueAfter,
            OverdueTransfers = ReconciliationComparison.OverdueTransfers(input.Ledgers, checkedAt, _overdueAfter),
        };
        Record(report, input.Ledgers.ReadUpTo, activity);
        return report;
    }

    private void Record(ReconciliationReport report, ulong? ledgersReadUpTo, Activity? activity)
    {
        _runs.Add(1);
        var perCopy = report.Differences.GroupBy(d => d.Copy).ToDictionary(g => g.Key, g => g.Count());
        foreach (var copy in report.Copies)
        {
            _differences.Add(perCopy.GetValueOrDefault(copy), new KeyValuePair<string, object?>("copy", copy));
        }

        activity?.SetTag("reconciliation.accounts", report.Accounts);
        activity?.SetTag("reconciliation.ledgers", report.Ledgers);
        activity?.SetTag("reconciliation.ledgers.read_up_to", ledgersReadUpTo);
        activity?.SetTag("reconciliation.differences", report.Differences.Count);
        activity?.SetTag("reconciliation.overdue_transfers", report.OverdueTransfers.Count);
        _overdue.Add(report.OverdueTransfers.Count);
        LogReport(_logger, report.Differences.Count, report.Copies.Count, report.Accounts, report.Ledgers, ledgersReadUpTo);
        foreach (var difference in report.Differences)
        {
            // Ids and names only: the values may be an owner's name or address.
            LogDifference(_logger, difference.AccountId, difference.Copy, difference.Field, difference.Source);
        }

        foreach (var overdue in report.OverdueTransfers)
        {
            LogOverdue(_logger, overdue.TransactionId, overdue.FromAccountId, overdue.ToAccountId, overdue.Age);
        }
    }

    /// <summary>Every page of a keyset-paged reconciliation endpoint, one after the other.</summary>
    private async Task<IReadOnlyList<TItem>> ReadPagesAsync<TPage, TItem>(
        string client, string path, Func<TPage, (IReadOnlyList<TItem> Items, Guid? Next)> open, CancellationToken cancellationToken)
    {
        var http = _http.CreateClient(client);
        var items = new List<TItem>();
        Guid? after = null;
        do
        {
            var page = await http.GetFromJsonAsync<TPage>(new Uri($"{path}?count={PageSize}{(after is { } a ? $"&after={a}" : "")}", UriKind.Relative), ContractJson.Options, cancellationToken)
                ?? throw new HttpRequestException($"{path} answered no page.");
            var (pageItems, next) = open(page);
            items.AddRange(pageItems);
            after = next;
        }
        while (after is not null);

        return items;
    }

    [LoggerMessage(LogLevel.Information, "Reconciliation found {Differences} differences over {Copies} copies of {Accounts} accounts and {Ledgers} ledgers (ledgers read up to $all position {LedgersReadUpTo})")]
    private static partial void LogReport(ILogger logger, int differences, int copies, int accounts, int ledgers, ulong? ledgersReadUpTo);

    [LoggerMessage(LogLevel.Warning, "Reconciliation: transfer {TransactionId} from {FromAccountId} to {ToAccountId} has been under way for {Age}")]
    private static partial void LogOverdue(ILogger logger, Guid transactionId, Guid fromAccountId, Guid toAccountId, TimeSpan age);

    [LoggerMessage(LogLevel.Warning, "Reconciliation: {Copy} differs from {Source} in {Field} of account {AccountId}")]
    private static partial void LogDifference(ILogger logger, Guid? accountId, string copy, string field, string source);
}
