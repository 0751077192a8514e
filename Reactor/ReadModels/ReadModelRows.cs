using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;

namespace EventDriven.Reactor.ReadModels;

/// <summary>
/// The read models' rows, and how an event changes them: pure functions, shared by the live consumer (one event at a
/// time, in PostgreSQL transactions) and the rebuild (whole topics folded in memory, then copied in bulk). Each row
/// records the versions it reflects, so the UI can tell how current it is and older events never overwrite newer ones.
/// An overview's <see cref="AccountOverview.Owner"/> is the owner's subject (from accounts.state), so that a customer is
/// shown only their own accounts; null until a state event that carries it arrived (and for accounts that predate owners).
/// </summary>
public sealed record AccountOverview(
    Guid AccountId,
    string? OwnerName,
    string? City,
    string? Country,
    AccountStatus? Status,
    string? Currency,
    decimal Balance,
    int Deposits,
    int Withdrawals,
    int TransfersIn,
    int TransfersOut,
    DateTimeOffset? LastActivity,
    long AccountVersion,
    long LedgerVersion,
    string? Owner = null)
{
    public static AccountOverview Empty(Guid accountId) => new(accountId, null, null, null, null, null, 0m, 0, 0, 0, 0, null, 0, 0);

    /// <summary>The account's own fields, replaced by the fat event if it is newer than what the row holds.</summary>
    public AccountOverview Apply(AccountStateChanged changed) => changed.Version <= AccountVersion
        ? this
        : this with
        {
            OwnerName = changed.After.OwnerName,
            // An account's owner never changes; an event that does not carry it (written before owners) keeps what is known.
            Owner = changed.After.Owner ?? Owner,
            City = changed.After.Address.City,
            Country = changed.After.Address.Country,
            Status = changed.After.Status,
            Currency = changed.After.Currency,
            AccountVersion = changed.Version,
            LastActivity = Latest(LastActivity, changed.OccurredAt),
        };

    /// <summary>
    /// Counts are per event (the inbox makes each event count once, in any order); the balance is the newest ledger
    /// version's balance, so an older event arriving late does not move it back.
    /// </summary>
    public AccountOverview Apply(LedgerEvent @event)
    {
        var counted = @event switch
        {
            MoneyDeposited => this with { Deposits = Deposits + 1 },
            MoneyWithdrawn => this with { Withdrawals = Withdrawals + 1 },
            TransferCredited => this with { TransfersIn = TransfersIn + 1 },
            TransferDebited => this with { TransfersOut = TransfersOut + 1 },
            _ => this,
        };
        if (@event.Version <= LedgerVersion)
        {
            return counted;
        }

        return counted with
        {
            Balance = @event is LedgerEntryEvent entry ? entry.BalanceAfter : counted.Balance,
            Currency = counted.Currency ?? (@event as LedgerEntryEvent)?.Currency ?? (@event as LedgerOpened)?.Currency,
            LedgerVersion = @event.Version,
            LastActivity = Latest(LastActivity, @event.OccurredAt),
        };
    }

    private static DateTimeOffset Latest(DateTimeOffset? held, DateTimeOffset candidate) => held is { } h && h > candidate ? h : candidate;
}

/// <summary>One line of an account's transaction history: one money movement, at the ledger version that recorded it.</summary>
public sealed record HistoryLine(
    Guid AccountId, long Version, Guid EventId, string Type, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid? Counterparty, DateTimeOffset OccurredAt)
{
    public static HistoryLine? From(LedgerEvent @event) => @event is LedgerEntryEvent e
        ? new(e.AccountId, e.Version, e.EventId, LedgerEventTypes.TypeOf(e), e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, CounterpartyOf(e), e.OccurredAt)
        : null;

    private static Guid? CounterpartyOf(LedgerEntryEvent e) => e switch
    {
        TransferDebited d => d.ToAccountId,
        TransferCredited c => c.FromAccountId,
        TransferDeclined d => d.FromAccountId,
        TransferCompleted c => c.ToAccountId,
        TransferRefunded r => r.ToAccountId,
        _ => null,
    };
}

/// <summary>Money moved per day (UTC) and currency. Transfers count once, on the debit; refunds take them back.</summary>
public sealed record DailyTotal(DateOnly Day, string Currency, decimal Deposited, decimal Withdrawn, decimal Transferred, int Movements)
{
    public static (DateOnly Day, string Currency)? KeyOf(LedgerEvent @event) =>
        @event is MoneyDeposited or MoneyWithdrawn or TransferDebited or TransferRefunded
            ? (DateOnly.FromDateTime(@event.OccurredAt.UtcDateTime), ((LedgerEntryEvent)@event).Currency)
            : null;

    public DailyTotal Apply(LedgerEvent @event) => @event switch
    {
        MoneyDeposited e => this with { Deposited = Deposited + e.Amount, Movements = Movements + 1 },
        MoneyWithdrawn e => this with { Withdrawn = Withdrawn + e.Amount, Movements = Movements + 1 },
        TransferDebited e => this with { Transferred = Transferred + e.Amount, Movements = Movements + 1 },
        TransferRefunded e => this with { Transferred = Transferred - e.Amount, Movements = Movements + 1 },
        _ => this,
    };
}
