using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Reconciliation;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Reconciliation;
using EventDriven.Reactor.Styles;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// The comparison as specifications: given the sources and copies as read, the differences reported. A copy agreeing
/// everywhere reports nothing; a copy behind is one version difference; a field is compared only at the same version.
/// </summary>
public sealed class ReconciliationComparisonTests
{
    private static readonly Guid Id = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 6, 0, 0, TimeSpan.Zero);
    private static readonly AccountSnapshot Account = new(Id, "Test Owner", "owner@example.com", null,
        new PostalAddress("1 Main Street", "London", "SW1Y 4JH", "GB"), "EUR", AccountStatus.Open, null, 2, T0, T0);
    private static readonly LedgerFacts Ledger = new(Id, "EUR", 70m, 5, false, 0, 4, 1, 1, 0, 1, 100.50m, 0.50m);

    [Fact]
    public void Copies_that_hold_the_sources_exactly_report_nothing_and_the_totals_agree()
    {
        var (totals, differences) = ReconciliationComparison.Compare(Agreeing());

        Assert.Empty(differences);
        Assert.Equal([new ReconciliationTotal("EUR", 100m, 100m)], totals);
    }

    [Fact]
    public void A_copy_behind_its_source_is_one_version_difference_and_its_fields_are_not_compared()
    {
        var input = Agreeing();
        input = input with { StateTopic = new Dictionary<Guid, AccountSnapshot>(input.StateTopic) { [Id] = Account with { Version = 1, OwnerName = "Earlier Name" } } };

        var difference = Assert.Single(ReconciliationComparison.Compare(input).Differences);

        Assert.Equal(new ReconciliationDifference(Id, "accounts.state", "version", "accounts", "2", "1"), difference);
    }

    [Fact]
    public void A_field_that_differs_at_the_same_version_is_reported_with_both_values()
    {
        var fields = new SortedDictionary<string, string>(AccountFields.Of(Account), StringComparer.Ordinal) { ["address.city"] = "Leeds" };
        var input = Agreeing();
        input = input with { Reactor = input.Reactor with { StyleCopies = [.. input.Reactor.StyleCopies.Where(c => c.Style != EventStyle.Delta || c.AccountId != Id), new StyleCopy(Id, EventStyle.Delta, 2, fields)] } };

        var difference = Assert.Single(ReconciliationComparison.Compare(input).Differences);

        Assert.Equal(new ReconciliationDifference(Id, "reactor.styles.delta", "address.city", "accounts", "London", "Leeds"), difference);
    }

    [Fact]
    public void An_account_no_copy_holds_is_missing_from_each_and_a_copy_of_an_unknown_account_is_reported_too()
    {
        var stranger = Guid.Parse("00000000-0000-0000-0000-00000000000b");
        var input = Agreeing();
        input = input with { TransactionsCopy = [.. input.TransactionsCopy.Where(c => c.AccountId != Id), new AccountCopyEntry(stranger, "EUR", AccountStatus.Open, 1)] };

        var differences = ReconciliationComparison.Compare(input).Differences;

        Assert.Equal(
            [
                new ReconciliationDifference(Id, "transactions.account_copy", "version", "accounts", "2", null),
                new ReconciliationDifference(stranger, "transactions.account_copy", "version", "accounts", null, "1"),
            ],
            differences);
    }

    [Fact]
    public void Balances_that_do_not_add_up_to_deposits_minus_withdrawals_are_a_total_difference()
    {
        // The target's 30 is not in the ledgers: 30 left the source by a transfer no ledger received.
        var input = Agreeing();
        input = input with { Ledgers = new LedgerFactsReport(1, [.. input.Ledgers.Ledgers.Where(l => l.AccountId == Id)]) };
        var (totals, differences) = ReconciliationComparison.Compare(input);

        Assert.Equal(new ReconciliationTotal("EUR", 70m, 100.00m), Assert.Single(totals));
        Assert.Equal(new ReconciliationDifference(null, "ledgers", "total", "ledgers", "100.00 EUR", "70 EUR"), Assert.Single(differences, d => d.AccountId is null && d.Copy == "ledgers"));
    }

    [Fact]
    public void A_read_model_balance_is_compared_by_value_at_the_ledger_version_and_its_history_by_entries()
    {
        var input = Agreeing();
        input = input with
        {
            Reactor = input.Reactor with
            {
                Overviews = [input.Reactor.Overviews[0] with { Balance = 70.00m + 1m }, input.Reactor.Overviews[1]],
                Histories = [new HistorySummary(Id, 3, 70m), input.Reactor.Histories[1]],
            },
        };

        var differences = ReconciliationComparison.Compare(input).Differences;

        Assert.Equal(
            [
                new ReconciliationDifference(Id, "reactor.account_overview", "balance", "ledgers", "70", "71.00"),
                new ReconciliationDifference(Id, "reactor.transaction_history", "entries", "ledgers", "4", "3"),
            ],
            differences.Where(d => d.Copy != "ledgers"));
    }

    [Fact]
    public void A_transfer_under_way_for_longer_than_the_threshold_is_overdue_with_its_ids_amount_and_age_and_a_younger_one_is_not()
    {
        var (target, other) = (Guid.Parse("00000000-0000-0000-0000-00000000000c"), Guid.Parse("00000000-0000-0000-0000-00000000000d"));
        var (oldest, older, atThreshold, young) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var ledgers = new LedgerFactsReport(42, [Ledger with { TransfersUnderWay = 4 }])
        {
            TransfersUnderWay =
            [
                new TransferUnderWay(older, Id, other, 5.25m, "EUR", T0.AddMinutes(1)),
                new TransferUnderWay(oldest, Id, target, 30m, "EUR", T0),
                new TransferUnderWay(atThreshold, Id, target, 1m, "EUR", T0.AddMinutes(5)),
                new TransferUnderWay(young, Id, target, 2m, "EUR", T0.AddMinutes(9)),
            ],
        };

        var overdue = ReconciliationComparison.OverdueTransfers(ledgers, checkedAt: T0.AddMinutes(10), overdueAfter: TimeSpan.FromMinutes(5));

        Assert.Equal(
            [
                new OverdueTransfer(oldest, Id, target, 30m, "EUR", T0, TimeSpan.FromMinutes(10)),
                new OverdueTransfer(older, Id, other, 5.25m, "EUR", T0.AddMinutes(1), TimeSpan.FromMinutes(9)),
            ],
            overdue);
    }

    [Fact]
    public void Ledgers_with_no_transfer_under_way_have_none_overdue_and_their_copies_no_difference_for_it()
    {
        // Every transfer in the agreeing input ended (completed): Transactions lists none under way.
        var input = Agreeing();

        Assert.Empty(ReconciliationComparison.OverdueTransfers(input.Ledgers, T0.AddDays(1), TimeSpan.Zero));
        Assert.Empty(ReconciliationComparison.Compare(input).Differences);
    }

    /// <summary>One account at version 2 with a ledger at version 5; every copy holding exactly that. Money out by a completed transfer.</summary>
    private static ReconciliationInput Agreeing()
    {
        var fields = AccountFields.Of(Account);
        var target = Guid.Parse("00000000-0000-0000-0000-00000000000c");
        var targetAccount = Account with { AccountId = target, Version = 1 };
        var targetLedger = new LedgerFacts(target, "EUR", 30m, 2, false, 0, 1, 0, 0, 1, 0, 0m, 0m);
        return new ReconciliationInput(
            [Account, targetAccount],
            new LedgerFactsReport(42, [Ledger, targetLedger]),
            new Dictionary<Guid, AccountSnapshot> { [Id] = Account, [target] = targetAccount },
            [new AccountCopyEntry(Id, "EUR", AccountStatus.Open, 2), new AccountCopyEntry(target, "EUR", AccountStatus.Open, 1)],
            new ReactorCopies(
                [Overview(Account, Ledger), Overview(targetAccount, targetLedger)],
                [new HistorySummary(Id, 4, 70m), new HistorySummary(target, 1, 30m)],
                [new CurrencyMovements("EUR", 100.50m, 0.50m)],
                [
                    .. Enum.GetValues<EventStyle>().Select(style => new StyleCopy(Id, style, 2, fields)),
                    .. Enum.GetValues<EventStyle>().Select(style => new StyleCopy(target, style, 1, AccountFields.Of(targetAccount))),
                ]));
    }

    private static AccountOverview Overview(AccountSnapshot account, LedgerFacts ledger) => new(account.AccountId, account.OwnerName, account.Address.City,
        account.Address.Country, account.Status, account.Currency, ledger.Balance, ledger.Deposits, ledger.Withdrawals, ledger.TransfersIn, ledger.TransfersOut,
        T0, account.Version, ledger.Version);
}
