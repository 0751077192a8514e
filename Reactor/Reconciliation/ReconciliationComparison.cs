using System.Globalization;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Styles;

namespace EventDriven.Reactor.Reconciliation;

/// <summary>Everything one reconciliation run read: the two sources of truth and every copy.</summary>
public sealed record ReconciliationInput(
    IReadOnlyList<AccountSnapshot> Accounts,
    LedgerFactsReport Ledgers,
    IReadOnlyDictionary<Guid, AccountSnapshot> StateTopic,
    IReadOnlyList<AccountCopyEntry> TransactionsCopy,
    ReactorCopies Reactor);

/// <summary>
/// The comparison itself, a pure function of what was read. Each copy is compared on what it claims to hold, and only
/// at the source's version: a copy at another version (behind, or missing the account) is one difference named after
/// the version it tracks, with both versions; at the same version every field it holds is compared.
/// </summary>
public static class ReconciliationComparison
{
    public const string AccountsSource = "accounts";
    public const string LedgersSource = "ledgers";

    public const string StateTopic = Topics.AccountState;
    public const string TransactionsCopy = "transactions.account_copy";
    public const string Ledgers = "ledgers";
    public const string Overview = "reactor.account_overview";
    public const string History = "reactor.transaction_history";
    public const string DailyTotals = "reactor.daily_totals";

    public static string StyleCopy(EventStyle style) => $"reactor.styles.{style.Name()}";

    /// <summary>Every copy a run compares, in the order the report names them.</summary>
    public static IReadOnlyList<string> Copies { get; } =
    [
        StateTopic, TransactionsCopy, Ledgers, Overview, History, DailyTotals,
        .. Enum.GetValues<EventStyle>().Select(StyleCopy),
    ];

    public static (IReadOnlyList<ReconciliationTotal> Totals, IReadOnlyList<ReconciliationDifference> Differences) Compare(ReconciliationInput input)
    {
        var accounts = input.Accounts.ToDictionary(a => a.AccountId);
        var ledgers = input.Ledgers.Ledgers.ToDictionary(l => l.AccountId);
        var differences = new List<ReconciliationDifference>();

        CompareStates(StateTopic, accounts, input.StateTopic.ToDictionary(s => s.Key, s => (s.Value.Version, (IReadOnlyDictionary<string, string>)AccountFields.Of(s.Value))), differences);
        foreach (var style in Enum.GetValues<EventStyle>())
        {
            CompareStates(StyleCopy(style), accounts,
                input.Reactor.StyleCopies.Where(c => c.Style == style).ToDictionary(c => c.AccountId, c => (c.Version, c.Fields)), differences);
        }

        CompareTransactionsCopy(accounts, input.TransactionsCopy, differences);
        CompareLedgersWithAccounts(accounts, ledgers, differences);
        CompareOverview(accounts, ledgers, input.Reactor.Overviews, differences);
        CompareHistory(ledgers, input.Reactor.Histories, differences);
        var totals = Totals(input.Ledgers.Ledgers, differences);
        CompareDailyTotals(input.Ledgers.Ledgers, input.Reactor.DailyTotals, differences);
        return (totals, differences);
    }

    /// <summary>
    /// The transfers the ledgers say are under way for longer than <paramref name="overdueAfter"/> at
    /// <paramref name="checkedAt"/>, oldest first. Every transfer must end, completed or refunded; one that has not by
    /// then is stuck somewhere in the choreography, and its money has left the source without arriving anywhere.
    /// </summary>
    public static IReadOnlyList<OverdueTransfer> OverdueTransfers(LedgerFactsReport ledgers, DateTimeOffset checkedAt, TimeSpan overdueAfter) =>
        [.. ledgers.TransfersUnderWay.Where(t => checkedAt - t.StartedAt > overdueAfter).OrderBy(t => t.StartedAt).ThenBy(t => t.TransactionId)
            .Select(t => new OverdueTransfer(t.TransactionId, t.FromAccountId, t.ToAccountId, t.Amount, t.Currency, t.StartedAt, checkedAt - t.StartedAt))];

    /// <summary>A copy of the whole account (the state topic, a style's copy): its version, then every field.</summary>
    private static void CompareStates(
        string copy, Dictionary<Guid, AccountSnapshot> accounts, Dictionary<Guid, (long Version, IReadOnlyDictionary<string, string> Fields)> copies,
        List<ReconciliationDifference> differences)
    {
        foreach (var id in accounts.Keys.Union(copies.Keys).Order())
        {
            var source = accounts.GetValueOrDefault(id);
            var held = copies.TryGetValue(id, out var c) ? c : ((long Version, IReadOnlyDictionary<string, string> Fields)?)null;
            if (source?.Version != held?.Version)
            {
                differences.Add(new(id, copy, "version", AccountsSource, Text(source?.Version), Text(held?.Version)));
                continue;
            }

            var expected = AccountFields.Of(source);
            foreach (var field in expected.Keys.Union(held!.Value.Fields.Keys).Order(StringComparer.Ordinal))
            {
                var (e, a) = (expected.GetValueOrDefault(field), held.Value.Fields.GetValueOrDefault(field));
                if (e != a)
                {
                    differences.Add(new(id, copy, field, AccountsSource, e, a));
                }
            }
        }
    }

    /// <summary>Transactions' copy holds an account's currency, status and version.</summary>
    private static void CompareTransactionsCopy(Dictionary<Guid, AccountSnapshot> accounts, IReadOnlyList<AccountCopyEntry> copy, List<ReconciliationDifference> differences)
    {
        var held = copy.ToDictionary(c => c.AccountId);
        foreach (var id in accounts.Keys.Union(held.Keys).Order())
        {
            var (source, entry) = (accounts.GetValueOrDefault(id), held.GetValueOrDefault(id));
            if (source?.Version != entry?.Version)
            {
                differences.Add(new(id, TransactionsCopy, "version", AccountsSource, Text(source?.Version), Text(entry?.Version)));
                continue;
            }

            Field(id, TransactionsCopy, "currency", AccountsSource, source!.Currency, entry!.Currency, differences);
            Field(id, TransactionsCopy, "status", AccountsSource, Text(source.Status), Text(entry.Status), differences);
        }
    }

    /// <summary>What a ledger knows of its account: that it exists, its currency, and whether it is closed.</summary>
    private static void CompareLedgersWithAccounts(Dictionary<Guid, AccountSnapshot> accounts, Dictionary<Guid, LedgerFacts> ledgers, List<ReconciliationDifference> differences)
    {
        foreach (var ledger in ledgers.Values.OrderBy(l => l.AccountId))
        {
            if (accounts.GetValueOrDefault(ledger.AccountId) is not { } account)
            {
                differences.Add(new(ledger.AccountId, Ledgers, "account", AccountsSource, null, $"ledger at version {ledger.Version}"));
                continue;
            }

            if (ledger.Currency is not null)
            {
                Field(ledger.AccountId, Ledgers, "currency", AccountsSource, account.Currency, ledger.Currency, differences);
            }

            Field(ledger.AccountId, Ledgers, "closed", AccountsSource, Text(account.Status == AccountStatus.Closed), Text(ledger.Closed), differences);
        }
    }

    /// <summary>
    /// <c>account_overview</c> holds some of the account (at <c>accountVersion</c>) and the ledger's balance and counts
    /// (at <c>ledgerVersion</c>): each part is compared with its own source. An account without a ledger has version 0.
    /// </summary>
    private static void CompareOverview(
        Dictionary<Guid, AccountSnapshot> accounts, Dictionary<Guid, LedgerFacts> ledgers, IReadOnlyList<AccountOverview> overviews, List<ReconciliationDifference> differences)
    {
        var rows = overviews.ToDictionary(o => o.AccountId);
        foreach (var id in accounts.Keys.Union(ledgers.Keys).Union(rows.Keys).Order())
        {
            var (account, ledger, row) = (accounts.GetValueOrDefault(id), ledgers.GetValueOrDefault(id), rows.GetValueOrDefault(id));
            long? rowAccountVersion = row is { AccountVersion: > 0 } ? row.AccountVersion : null;
            if (account?.Version != rowAccountVersion)
            {
                differences.Add(new(id, Overview, "accountVersion", AccountsSource, Text(account?.Version), Text(rowAccountVersion)));
            }
            else if (account is not null)
            {
                Field(id, Overview, "ownerName", AccountsSource, account.OwnerName, row!.OwnerName, differences);
                Field(id, Overview, "address.city", AccountsSource, account.Address.City, row.City, differences);
                Field(id, Overview, "address.country", AccountsSource, account.Address.Country, row.Country, differences);
                Field(id, Overview, "status", AccountsSource, Text(account.Status), row.Status is { } status ? Text(status) : null, differences);
                Field(id, Overview, "currency", AccountsSource, account.Currency, row.Currency, differences);
            }

            var (ledgerVersion, rowLedgerVersion) = (ledger?.Version ?? 0, row?.LedgerVersion ?? 0);
            if (ledgerVersion != rowLedgerVersion)
            {
                differences.Add(new(id, Overview, "ledgerVersion", LedgersSource, Text(ledgerVersion), Text(rowLedgerVersion)));
            }
            else if (ledger is not null)
            {
                Amount(id, Overview, "balance", ledger.Balance, row!.Balance, differences);
                Field(id, Overview, "deposits", LedgersSource, Text(ledger.Deposits), Text(row.Deposits), differences);
                Field(id, Overview, "withdrawals", LedgersSource, Text(ledger.Withdrawals), Text(row.Withdrawals), differences);
                Field(id, Overview, "transfersIn", LedgersSource, Text(ledger.TransfersIn), Text(row.TransfersIn), differences);
                Field(id, Overview, "transfersOut", LedgersSource, Text(ledger.TransfersOut), Text(row.TransfersOut), differences);
            }
        }
    }

    /// <summary><c>transaction_history</c>: one line per money movement, the newest with the ledger's balance after it.</summary>
    private static void CompareHistory(Dictionary<Guid, LedgerFacts> ledgers, IReadOnlyList<HistorySummary> histories, List<ReconciliationDifference> differences)
    {
        var lines = histories.ToDictionary(h => h.AccountId);
        foreach (var id in ledgers.Keys.Union(lines.Keys).Order())
        {
            var (ledger, history) = (ledgers.GetValueOrDefault(id), lines.GetValueOrDefault(id));
            var (entries, held) = (ledger?.Entries ?? 0, history?.Entries ?? 0);
            if (entries != held)
            {
                differences.Add(new(id, History, "entries", LedgersSource, Text(entries), Text(held)));
            }
            else if (history is not null)
            {
                Amount(id, History, "balance", ledger!.Balance, history.LatestBalance, differences);
            }
        }
    }

    /// <summary>Per currency: the ledgers' balances added up, against deposits minus withdrawals over every ledger event.</summary>
    private static List<ReconciliationTotal> Totals(IReadOnlyList<LedgerFacts> ledgers, List<ReconciliationDifference> differences)
    {
        var totals = ledgers.Where(l => l.Currency is not null).GroupBy(l => l.Currency!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReconciliationTotal(g.Key, g.Sum(l => l.Balance), g.Sum(l => l.Deposited - l.Withdrawn))).ToList();
        foreach (var total in totals.Where(t => t.LedgerBalances != t.DepositsMinusWithdrawals))
        {
            differences.Add(new(null, Ledgers, "total", LedgersSource, Money(total.DepositsMinusWithdrawals, total.Currency), Money(total.LedgerBalances, total.Currency)));
        }

        return totals;
    }

    /// <summary><c>daily_totals</c> over all days, per currency: the money deposited and withdrawn, as the ledgers' events add up.</summary>
    private static void CompareDailyTotals(IReadOnlyList<LedgerFacts> ledgers, IReadOnlyList<CurrencyMovements> dailyTotals, List<ReconciliationDifference> differences)
    {
        var expected = ledgers.Where(l => l.Currency is not null).GroupBy(l => l.Currency!)
            .ToDictionary(g => g.Key, g => (Deposited: g.Sum(l => l.Deposited), Withdrawn: g.Sum(l => l.Withdrawn)));
        var held = dailyTotals.ToDictionary(t => t.Currency, t => (t.Deposited, t.Withdrawn));
        foreach (var currency in expected.Keys.Union(held.Keys).Order(StringComparer.Ordinal))
        {
            var (e, h) = (expected.GetValueOrDefault(currency), held.GetValueOrDefault(currency));
            if (e.Deposited != h.Deposited)
            {
                differences.Add(new(null, DailyTotals, $"deposited.{currency}", LedgersSource, Text(e.Deposited), Text(h.Deposited)));
            }

            if (e.Withdrawn != h.Withdrawn)
            {
                differences.Add(new(null, DailyTotals, $"withdrawn.{currency}", LedgersSource, Text(e.Withdrawn), Text(h.Withdrawn)));
            }
        }
    }

    private static void Field(Guid id, string copy, string field, string source, string? expected, string? actual, List<ReconciliationDifference> differences)
    {
        if (expected != actual)
        {
            differences.Add(new(id, copy, field, source, expected, actual));
        }
    }

    /// <summary>Amounts compare by value (150.00 and 150 are equal), whatever scale each store keeps.</summary>
    private static void Amount(Guid id, string copy, string field, decimal expected, decimal actual, List<ReconciliationDifference> differences)
    {
        if (expected != actual)
        {
            differences.Add(new(id, copy, field, LedgersSource, Text(expected), Text(actual)));
        }
    }

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";

    /// <summary>A status as the wire writes it (<c>closureRequested</c>), the way the account's fields name it.</summary>
    private static string Text(AccountStatus status) => JsonSerializer.SerializeToElement(status, ContractJson.Options).GetString()!;

    private static string Money(decimal amount, string currency) => $"{Text(amount)} {currency}";
}
