using EventDriven.Transactions.Storage;
using Contract = EventDriven.Contracts.Transactions;
using DomainEvents = EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Publishing;

/// <summary>
/// The ledger's events as the versioned contract of <c>transactions.events</c> (<c>Contracts/Transactions</c>): the
/// domain event and the store's envelope become one contract record. The only place that knows both, so either can
/// change alone; a change of the ledger's events that the contract cannot say is a new contract version, decided here.
/// The HTTP API shows events in the same contract.
/// </summary>
public static class LedgerContracts
{
    public static Contract.LedgerEvent ToContract(RecordedLedgerEvent recorded)
    {
        var (id, account, version, at) = (recorded.EventId, recorded.AccountId, recorded.Version, recorded.OccurredAt);
        return recorded.Event switch
        {
            DomainEvents.Opened e => new Contract.LedgerOpened(id, account, version, at, e.Currency),
            DomainEvents.MoneyDeposited e => new Contract.MoneyDeposited(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter),
            DomainEvents.MoneyWithdrawn e => new Contract.MoneyWithdrawn(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter),
            DomainEvents.TransferDebited e => new Contract.TransferDebited(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, e.ToAccountId),
            DomainEvents.TransferCredited e => new Contract.TransferCredited(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, e.FromAccountId),
            DomainEvents.TransferDeclined e => new Contract.TransferDeclined(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, e.FromAccountId, e.Reason),
            DomainEvents.TransferCompleted e => new Contract.TransferCompleted(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, e.ToAccountId),
            DomainEvents.TransferRefunded e => new Contract.TransferRefunded(id, account, version, at, e.TransactionId, e.Amount, e.Currency, e.BalanceAfter, e.ToAccountId, e.Reason),
            DomainEvents.ClosureSettled e => new Contract.ClosureSettled(id, account, version, at, e.ClosureRequestId),
            DomainEvents.ClosureRefused e => new Contract.ClosureRefused(id, account, version, at, e.ClosureRequestId, e.Reason),
            var other => throw new ArgumentOutOfRangeException(nameof(recorded), other.GetType().Name, "Not a ledger event."),
        };
    }
}
