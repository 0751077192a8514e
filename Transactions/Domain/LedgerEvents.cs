namespace EventDriven.Transactions.Domain;

/// <summary>
/// A fact the ledger recorded: what happened, and nothing of where or how it is kept. The account is the ledger's own,
/// the version is the event's place in the ledger, ids and times are given by the store; what goes to Kafka is the
/// contract in <c>Contracts/Transactions</c>, mapped by the publisher. So these may change with the ledger's rules
/// without changing a single consumer.
/// </summary>
public abstract record LedgerEvent;

/// <summary>A step of a transaction: which transaction, its amount and currency, and the balance the ledger had after it.</summary>
public abstract record TransactionStep(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter) : LedgerEvent;

/// <summary>The ledger's events, nested so that their names never clash with the contract records of the same name.</summary>
public static class LedgerEvents
{
    /// <summary>The ledger began (before its first movement), in the account's currency.</summary>
    public sealed record Opened(string Currency) : LedgerEvent;

    public sealed record MoneyDeposited(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    public sealed record MoneyWithdrawn(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>A transfer's first step, on the source: the money left. The target's credit (or the refund) follows.</summary>
    public sealed record TransferDebited(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>A transfer's second step, on the target: the money arrived.</summary>
    public sealed record TransferCredited(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid FromAccountId)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>
    /// A transfer's second step, on the target, when it cannot take the money: its final word on that transfer,
    /// recorded before the source is refunded. The balance does not change.
    /// </summary>
    public sealed record TransferDeclined(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid FromAccountId, string Reason)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>A transfer's last step, on the source, when the target took the money: nothing is under way any more.</summary>
    public sealed record TransferCompleted(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>A transfer's last step, on the source, when the target could not take the money: it came back.</summary>
    public sealed record TransferRefunded(Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId, string Reason)
        : TransactionStep(TransactionId, Amount, Currency, BalanceAfter);

    /// <summary>The answer to a closure request when the ledger is empty: the account may close; the ledger takes no more money.</summary>
    public sealed record ClosureSettled(Guid ClosureRequestId) : LedgerEvent;

    /// <summary>The answer to a closure request when money is still in the ledger or under way: the account stays open.</summary>
    public sealed record ClosureRefused(Guid ClosureRequestId, string Reason) : LedgerEvent;
}
