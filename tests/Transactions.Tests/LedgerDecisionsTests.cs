using EventDriven.Contracts.Accounts;
using EventDriven.Transactions.Domain;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Tests;

/// <summary>The ledger's rules as specifications: given domain events, when a command, then domain events or a refusal.</summary>
public sealed class LedgerDecisionsTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly AccountView Open = new(Id, "EUR", AccountStatus.Open, 1);

    [Fact]
    public void A_first_deposit_opens_the_ledger_in_the_accounts_currency()
    {
        var tx = Guid.NewGuid();

        var events = Appended(Decide(Ledger.Empty(Id), Open, new Deposit(Id, tx, 100m, "EUR")));

        Assert.Equal([new Opened("EUR"), new MoneyDeposited(tx, 100m, "EUR", 100m)], events);
    }

    [Fact]
    public void Deposits_and_withdrawals_move_the_balance()
    {
        var ledger = Given(Deposited(100m), Withdrawn(30.25m));

        Assert.Equal((69.75m, 3L), (ledger.Balance, ledger.Version));
        var withdrawn = Assert.IsType<MoneyWithdrawn>(Assert.Single(Appended(Decide(ledger, Open, new Withdraw(Id, Guid.NewGuid(), 69.75m, "EUR")))));
        Assert.Equal((0m, 4L), (withdrawn.BalanceAfter, Ledger.Evolve(ledger, withdrawn).Version));
    }

    [Fact]
    public void No_overdraft() =>
        Refused(Decide(Given(Deposited(10m)), Open, new Withdraw(Id, Guid.NewGuid(), 10.01m, "EUR")), RefusalKind.Conflict);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void No_step_of_any_path_moves_an_amount_at_or_below_zero(int amount)
    {
        var ledger = Given(Deposited(10m));
        LedgerCommand[] commands =
        [
            new Deposit(Id, Guid.NewGuid(), amount, "EUR"),
            new Withdraw(Id, Guid.NewGuid(), amount, "EUR"),
            new Transfer(Id, Guid.NewGuid(), amount, "EUR", Other),
            new CreditTransfer(Id, Guid.NewGuid(), amount, "EUR", Other),
            new DeclineTransfer(Id, Guid.NewGuid(), amount, "EUR", Other, "closed"),
            new CompleteTransfer(Id, Guid.NewGuid(), amount, "EUR", Other),
            new RefundTransfer(Id, Guid.NewGuid(), amount, "EUR", Other, "declined"),
        ];

        Assert.All(commands, command => Refused(Decide(ledger, Open, command), RefusalKind.Unprocessable));
    }

    [Fact]
    public void A_transfer_cannot_overdraw_either() =>
        Refused(Decide(Given(Deposited(10m)), Open, new Transfer(Id, Guid.NewGuid(), 11m, "EUR", Other)), RefusalKind.Conflict);

    [Fact]
    public void The_currency_must_be_the_accounts() =>
        Refused(Decide(Given(Deposited(10m)), Open, new Deposit(Id, Guid.NewGuid(), 5m, "USD")), RefusalKind.Unprocessable);

    [Fact]
    public void An_unknown_account_moves_no_money() =>
        Refused(Decide(Ledger.Empty(Id), null, new Deposit(Id, Guid.NewGuid(), 5m, "EUR")), RefusalKind.NotFound);

    [Theory]
    [InlineData(AccountStatus.Frozen)]
    [InlineData(AccountStatus.ClosureRequested)]
    [InlineData(AccountStatus.Closed)]
    public void Only_an_open_account_moves_money(AccountStatus status)
    {
        var ledger = Given(Deposited(50m));
        var account = Open with { Status = status };

        Refused(Decide(ledger, account, new Deposit(Id, Guid.NewGuid(), 5m, "EUR")), RefusalKind.Conflict);
        Refused(Decide(ledger, account, new Withdraw(Id, Guid.NewGuid(), 5m, "EUR")), RefusalKind.Conflict);
        Refused(Decide(ledger, account, new Transfer(Id, Guid.NewGuid(), 5m, "EUR", Other)), RefusalKind.Conflict);
        Refused(Decide(ledger, account, new CreditTransfer(Id, Guid.NewGuid(), 5m, "EUR", Other)), RefusalKind.Conflict);
    }

    [Fact]
    public void The_same_transaction_again_is_done_already_and_appends_nothing()
    {
        var deposit = Deposited(100m);
        var ledger = Given(deposit);

        var repeat = Assert.IsType<LedgerDecision.AlreadyDone>(Decide(ledger, Open, new Deposit(Id, deposit.TransactionId, 100m, "EUR")));

        Assert.Equal(new LedgerEntry(EntryKind.Deposit, 2, 100m), repeat.Entry);
    }

    [Fact]
    public void A_transaction_id_reused_for_another_request_is_refused()
    {
        var deposit = Deposited(100m);
        var ledger = Given(deposit);

        Refused(Decide(ledger, Open, new Deposit(Id, deposit.TransactionId, 99m, "EUR")), RefusalKind.Unprocessable);
        Refused(Decide(ledger, Open, new Withdraw(Id, deposit.TransactionId, 100m, "EUR")), RefusalKind.Unprocessable);
    }

    [Fact]
    public void A_transfer_is_debited_then_completed_once_credited()
    {
        var tx = Guid.NewGuid();
        var debited = Assert.IsType<TransferDebited>(Assert.Single(Appended(Decide(Given(Deposited(100m)), Open, new Transfer(Id, tx, 40m, "EUR", Other)))));
        var ledger = Given(Deposited(100m), debited);
        Assert.Equal((60m, 1), (ledger.Balance, ledger.TransfersUnderWay));

        var completed = Assert.IsType<TransferCompleted>(Assert.Single(Appended(Decide(ledger, null, new CompleteTransfer(Id, tx, 40m, "EUR", Other)))));

        var after = Ledger.Evolve(ledger, completed);
        Assert.Equal((60m, 0), (after.Balance, after.TransfersUnderWay));
        Assert.IsType<LedgerDecision.AlreadyDone>(Decide(after, null, new CompleteTransfer(Id, tx, 40m, "EUR", Other)));
        Refused(Decide(after, null, new RefundTransfer(Id, tx, 40m, "EUR", Other, "late")), RefusalKind.Conflict);
    }

    [Fact]
    public void A_refund_returns_the_money_once_even_to_a_frozen_account()
    {
        var tx = Guid.NewGuid();
        var ledger = Given(Deposited(100m), new TransferDebited(tx, 40m, "EUR", 60m, Other));

        var refunded = Assert.IsType<TransferRefunded>(Assert.Single(Appended(Decide(ledger, Open with { Status = AccountStatus.Frozen }, new RefundTransfer(Id, tx, 40m, "EUR", Other, "target closed")))));

        var after = Ledger.Evolve(ledger, refunded);
        Assert.Equal((100m, 0), (after.Balance, after.TransfersUnderWay));
        Assert.IsType<LedgerDecision.AlreadyDone>(Decide(after, null, new RefundTransfer(Id, tx, 40m, "EUR", Other, "again")));
    }

    [Fact]
    public void Finishing_a_transfer_the_ledger_never_started_is_refused() =>
        Refused(Decide(Given(Deposited(10m)), null, new RefundTransfer(Id, Guid.NewGuid(), 5m, "EUR", Other, "?")), RefusalKind.NotFound);

    [Fact]
    public void A_credit_arrives_once()
    {
        var tx = Guid.NewGuid();
        var credited = Assert.IsType<TransferCredited>(Appended(Decide(Ledger.Empty(Id), Open, new CreditTransfer(Id, tx, 25m, "EUR", Other)))[^1]);
        var ledger = Given(credited);

        Assert.Equal(25m, ledger.Balance);
        Assert.IsType<LedgerDecision.AlreadyDone>(Decide(ledger, Open, new CreditTransfer(Id, tx, 25m, "EUR", Other)));
    }

    [Fact]
    public void Transfers_from_two_accounts_with_the_same_transaction_id_are_both_credited()
    {
        var tx = Guid.NewGuid();
        var third = Guid.NewGuid();
        var ledger = Given(new TransferCredited(tx, 10m, "EUR", 10m, Other));

        var second = Assert.IsType<TransferCredited>(Assert.Single(Appended(Decide(ledger, Open, new CreditTransfer(Id, tx, 5m, "EUR", third)))));

        Assert.Equal(15m, Ledger.Evolve(ledger, second).Balance);
    }

    [Fact]
    public void A_declined_transfer_stays_declined_and_a_credited_one_cannot_be_declined()
    {
        var tx = Guid.NewGuid();
        var declined = Assert.IsType<TransferDeclined>(Assert.Single(Appended(
            Decide(Given(Deposited(7m)), Open with { Status = AccountStatus.Frozen }, new DeclineTransfer(Id, tx, 5m, "USD", Other, "frozen")))));
        var ledger = Given(Deposited(7m), declined);

        // Declining moves no money and leaves the ledger's currency alone.
        Assert.Equal((7m, "EUR"), (ledger.Balance, ledger.Currency));
        Assert.IsType<LedgerDecision.AlreadyDone>(Decide(ledger, Open, new DeclineTransfer(Id, tx, 5m, "USD", Other, "again")));
        Refused(Decide(ledger, Open, new CreditTransfer(Id, tx, 5m, "EUR", Other)), RefusalKind.Conflict);

        var credited = Given(new TransferCredited(tx, 5m, "EUR", 5m, Other));
        Refused(Decide(credited, Open, new DeclineTransfer(Id, tx, 5m, "EUR", Other, "late")), RefusalKind.Conflict);
    }

    [Fact]
    public void A_credit_in_another_currency_is_refused() =>
        Refused(Decide(Given(Deposited(10m)), Open, new CreditTransfer(Id, Guid.NewGuid(), 5m, "USD", Other)), RefusalKind.Unprocessable);

    [Fact]
    public void An_empty_ledger_settles_a_closure_and_takes_no_more_money()
    {
        var request = Guid.NewGuid();
        var ledger = Given(Deposited(10m), Withdrawn(10m));

        var settled = Assert.IsType<ClosureSettled>(Assert.Single(Appended(Decide(ledger, null, new SettleClosure(Id, request)))));

        var closed = Ledger.Evolve(ledger, settled);
        Assert.True(closed.Closed);
        Assert.IsType<LedgerDecision.AlreadyDone>(Decide(closed, null, new SettleClosure(Id, request)));
        Refused(Decide(closed, Open, new CreditTransfer(Id, Guid.NewGuid(), 5m, "EUR", Other)), RefusalKind.Conflict);
    }

    [Fact]
    public void A_closure_is_refused_while_money_is_in_the_ledger_or_under_way()
    {
        var withMoney = Given(Deposited(10m));
        var underWay = Given(Deposited(10m), new TransferDebited(Guid.NewGuid(), 10m, "EUR", 0m, Other));

        Assert.IsType<ClosureRefused>(Assert.Single(Appended(Decide(withMoney, null, new SettleClosure(Id, Guid.NewGuid())))));
        Assert.IsType<ClosureRefused>(Assert.Single(Appended(Decide(underWay, null, new SettleClosure(Id, Guid.NewGuid())))));
    }

    [Fact]
    public void The_entry_remembers_the_version_of_the_step_that_recorded_it()
    {
        var tx = Guid.NewGuid();
        var ledger = Given(Deposited(100m), new TransferDebited(tx, 40m, "EUR", 60m, Other), Deposited(1m));

        var completed = Ledger.Evolve(ledger, new TransferCompleted(tx, 40m, "EUR", 61m, Other));

        Assert.Equal(new LedgerEntry(EntryKind.TransferOut, 3, 40m), ledger.Entries[tx]);
        Assert.Equal((new LedgerEntry(EntryKind.TransferCompleted, 5, 40m), 5L), (completed.Entries[tx], completed.Version));
    }

    private static MoneyDeposited Deposited(decimal amount) => new(Guid.NewGuid(), amount, "EUR", 0m);

    private static MoneyWithdrawn Withdrawn(decimal amount) => new(Guid.NewGuid(), amount, "EUR", 0m);

    /// <summary>A ledger opened in EUR, then <paramref name="events"/>; deposits' and withdrawals' balances are filled in.</summary>
    private static Ledger Given(params LedgerEvent[] events)
    {
        var ledger = Ledger.Evolve(Ledger.Empty(Id), new Opened("EUR"));
        foreach (var @event in events)
        {
            ledger = Ledger.Evolve(ledger, @event switch
            {
                MoneyDeposited e => e with { BalanceAfter = ledger.Balance + e.Amount },
                MoneyWithdrawn e => e with { BalanceAfter = ledger.Balance - e.Amount },
                _ => @event,
            });
        }

        return ledger;
    }

    private static LedgerDecision Decide(Ledger ledger, AccountView? account, LedgerCommand command) => LedgerDecisions.Decide(ledger, account, command);

    private static IReadOnlyList<LedgerEvent> Appended(LedgerDecision decision) => Assert.IsType<LedgerDecision.Append>(decision).Events;

    private static void Refused(LedgerDecision decision, RefusalKind kind) => Assert.Equal(kind, Assert.IsType<LedgerDecision.Refused>(decision).Kind);
}
