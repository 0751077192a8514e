using EventDriven.Contracts.Accounts;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Domain;

/// <summary>
/// The ledger's rules, as a function from state, the account as Transactions knows it and a command to events or a
/// refusal. No I/O, no clock, no ids: the store gives each event its id, version and time when it appends them.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "Rules return the base type so that they compose with ??.")]
public static class LedgerDecisions
{
    public static LedgerDecision Decide(Ledger ledger, AccountView? account, LedgerCommand command)
    {
        // Whatever path a command comes by (a request, or a step of the choreography), no amount at or below zero moves.
        if (Amount(command) <= 0m)
        {
            return LedgerDecision.Unprocessable($"An amount must be more than zero; {Amount(command)} was given.");
        }

        if (ledger.Entries.TryGetValue(EntryKey(command), out var entry))
        {
            return Repeat(ledger, entry, command);
        }

        return command switch
        {
            Deposit c => RequireMovable(ledger, account, c.Currency)
                ?? Then(ledger, account!, new MoneyDeposited(c.TransactionId, c.Amount, c.Currency, ledger.Balance + c.Amount)),
            Withdraw c => RequireMovable(ledger, account, c.Currency) ?? RequireFunds(ledger, c.Amount)
                ?? Then(ledger, account!, new MoneyWithdrawn(c.TransactionId, c.Amount, c.Currency, ledger.Balance - c.Amount)),
            Transfer c => RequireMovable(ledger, account, c.Currency) ?? RequireFunds(ledger, c.Amount)
                ?? Then(ledger, account!, new TransferDebited(c.TransactionId, c.Amount, c.Currency, ledger.Balance - c.Amount, c.ToAccountId)),
            CreditTransfer c => RequireMovable(ledger, account, c.Currency)
                ?? Then(ledger, account!, new TransferCredited(c.TransactionId, c.Amount, c.Currency, ledger.Balance + c.Amount, c.FromAccountId)),
            // No account checks: whatever the target is, declining records its answer; it moves no money.
            DeclineTransfer c => new LedgerDecision.Append([new TransferDeclined(c.TransactionId, c.Amount, c.Currency, ledger.Balance, c.FromAccountId, c.Reason)]),
            CompleteTransfer or RefundTransfer => LedgerDecision.NotFound($"Ledger {ledger.AccountId} has no transfer {command.TransactionId} to finish."),
            SettleClosure c => Settle(ledger, c),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Not a ledger command."),
        };
    }

    private static decimal? Amount(LedgerCommand command) => command switch
    {
        Deposit c => c.Amount,
        Withdraw c => c.Amount,
        Transfer c => c.Amount,
        CreditTransfer c => c.Amount,
        DeclineTransfer c => c.Amount,
        CompleteTransfer c => c.Amount,
        RefundTransfer c => c.Amount,
        _ => null,
    };

    /// <summary>The key the ledger remembers a command's transaction under (see <see cref="Ledger.EntryKey"/>).</summary>
    public static Guid EntryKey(LedgerCommand command) => command switch
    {
        CreditTransfer c => Ledger.IncomingKey(c.TransactionId, c.FromAccountId),
        DeclineTransfer d => Ledger.IncomingKey(d.TransactionId, d.FromAccountId),
        _ => command.TransactionId,
    };

    /// <summary>
    /// A transaction id the ledger has recorded: the same step again is done already; the step after it (a transfer
    /// completed or refunded) is decided here; anything else under that id is a reused id.
    /// </summary>
    private static LedgerDecision Repeat(Ledger ledger, LedgerEntry entry, LedgerCommand command) => (entry.Kind, command) switch
    {
        (EntryKind.Deposit, Deposit c) when c.Amount == entry.Amount => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.Withdrawal, Withdraw c) when c.Amount == entry.Amount => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.TransferOut or EntryKind.TransferCompleted or EntryKind.TransferRefunded, Transfer c) when c.Amount == entry.Amount => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.TransferIn, CreditTransfer) => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.TransferDeclined, DeclineTransfer) => new LedgerDecision.AlreadyDone(entry),
        // The target's first answer to a transfer is final: a declined credit is not credited later, and the reverse.
        (EntryKind.TransferDeclined, CreditTransfer) => LedgerDecision.Conflict("The transfer was declined by this account already."),
        (EntryKind.TransferIn, DeclineTransfer) => LedgerDecision.Conflict("The transfer was credited to this account already."),
        (EntryKind.TransferCompleted, CompleteTransfer) or (EntryKind.TransferRefunded, RefundTransfer) => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.ClosureAnswer, SettleClosure) => new LedgerDecision.AlreadyDone(entry),
        (EntryKind.TransferOut, CompleteTransfer c) => new LedgerDecision.Append([new TransferCompleted(c.TransactionId, entry.Amount, ledger.Currency ?? c.Currency, ledger.Balance, c.ToAccountId)]),
        // Amount and currency are the ledger's own, whatever a message said. The money comes back whatever the account's
        // state: a transfer under way keeps the ledger from closing.
        (EntryKind.TransferOut, RefundTransfer c) => new LedgerDecision.Append([new TransferRefunded(c.TransactionId, entry.Amount, ledger.Currency ?? c.Currency, ledger.Balance + entry.Amount, c.ToAccountId, c.Reason)]),
        (EntryKind.TransferCompleted, RefundTransfer) => LedgerDecision.Conflict("The transfer was credited to its target already; it cannot be refunded."),
        (EntryKind.TransferRefunded, CompleteTransfer) => LedgerDecision.Conflict("The transfer was refunded already; it cannot complete."),
        _ => LedgerDecision.Unprocessable($"Transaction {command.TransactionId} was used for a different request; use a new transaction id for a new request."),
    };

    private static LedgerDecision.Append Settle(Ledger ledger, SettleClosure command)
    {
        if (ledger.Balance != 0m || ledger.TransfersUnderWay > 0)
        {
            var reason = ledger.Balance != 0m
                ? $"{ledger.Balance} {ledger.Currency} is still in the account; withdraw or transfer it first."
                : "A transfer from the account is still under way.";
            return new LedgerDecision.Append([new ClosureRefused(command.ClosureRequestId, reason)]);
        }

        return new LedgerDecision.Append([new ClosureSettled(command.ClosureRequestId)]);
    }

    /// <summary>Money moves in or out only for a known, open account whose ledger is open, in its currency.</summary>
    private static LedgerDecision? RequireMovable(Ledger ledger, AccountView? account, string currency)
    {
        if (account is null)
        {
            return LedgerDecision.NotFound($"Account {ledger.AccountId} is not known to Transactions.");
        }

        if (ledger.Closed || account.Status == AccountStatus.Closed)
        {
            return LedgerDecision.Conflict($"Account {ledger.AccountId} is closed.");
        }

        if (account.Status != AccountStatus.Open)
        {
            return LedgerDecision.Conflict($"Account {ledger.AccountId} is {account.Status switch { AccountStatus.Frozen => "frozen", _ => "being closed" }}; no money moves in or out.");
        }

        var ledgerCurrency = ledger.Currency ?? account.Currency;
        return string.Equals(currency, ledgerCurrency, StringComparison.Ordinal)
            ? null
            : LedgerDecision.Unprocessable($"Account {ledger.AccountId} holds {ledgerCurrency}, not {currency}.");
    }

    private static LedgerDecision? RequireFunds(Ledger ledger, decimal amount) =>
        ledger.Balance >= amount ? null : LedgerDecision.Conflict($"Insufficient funds: the balance is {ledger.Balance} {ledger.Currency}, {amount} was asked.");

    /// <summary>The command's event, preceded by the ledger's opening when this is its first movement.</summary>
    private static LedgerDecision.Append Then(Ledger ledger, AccountView account, TransactionStep movement) =>
        new(ledger.Currency is null ? [new Opened(account.Currency), movement] : [movement]);
}

/// <summary>What a command decided: events to append, a step done already, or a refusal (nothing to append).</summary>
public abstract record LedgerDecision
{
    public sealed record Append(IReadOnlyList<LedgerEvent> Events) : LedgerDecision;

    public sealed record AlreadyDone(LedgerEntry Entry) : LedgerDecision;

    public sealed record Refused(RefusalKind Kind, string Reason) : LedgerDecision;

    public static Refused NotFound(string reason) => new(RefusalKind.NotFound, reason);

    public static Refused Conflict(string reason) => new(RefusalKind.Conflict, reason);

    public static Refused Unprocessable(string reason) => new(RefusalKind.Unprocessable, reason);
}

public enum RefusalKind
{
    NotFound,
    Conflict,
    Unprocessable,
}
