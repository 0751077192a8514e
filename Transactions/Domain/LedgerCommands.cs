using EventDriven.Contracts.Accounts;

namespace EventDriven.Transactions.Domain;

/// <summary>A request to a ledger, named by the transaction it belongs to: the same transaction id never applies twice.</summary>
public abstract record LedgerCommand(Guid AccountId, Guid TransactionId);

public sealed record Deposit(Guid AccountId, Guid TransactionId, decimal Amount, string Currency) : LedgerCommand(AccountId, TransactionId);

public sealed record Withdraw(Guid AccountId, Guid TransactionId, decimal Amount, string Currency) : LedgerCommand(AccountId, TransactionId);

/// <summary>The first step of a transfer, on the source ledger.</summary>
public sealed record Transfer(Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid ToAccountId) : LedgerCommand(AccountId, TransactionId);

/// <summary>The choreography's second step, on the target ledger, when the source was debited.</summary>
public sealed record CreditTransfer(Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid FromAccountId) : LedgerCommand(AccountId, TransactionId);

/// <summary>The choreography's second step when the target cannot take the money: recorded on the target, before any refund.</summary>
public sealed record DeclineTransfer(Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid FromAccountId, string Reason) : LedgerCommand(AccountId, TransactionId);

/// <summary>The last step on the source, when the target was credited.</summary>
public sealed record CompleteTransfer(Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid ToAccountId) : LedgerCommand(AccountId, TransactionId);

/// <summary>The last step on the source, when the target could not take the money.</summary>
public sealed record RefundTransfer(Guid AccountId, Guid TransactionId, decimal Amount, string Currency, Guid ToAccountId, string Reason) : LedgerCommand(AccountId, TransactionId);

/// <summary>Account asked to close: the request's event id is the transaction id of the answer.</summary>
public sealed record SettleClosure(Guid AccountId, Guid ClosureRequestId) : LedgerCommand(AccountId, ClosureRequestId);

/// <summary>
/// What Transactions knows of an account from its own copy of Account's events (event-carried state). The decisions
/// read its currency and status; <paramref name="Owner"/> (the owner's subject, null for accounts that predate owners)
/// is for the API, which lets only the owner or an operator use the ledger.
/// </summary>
public sealed record AccountView(Guid AccountId, string Currency, AccountStatus Status, long Version, string? Owner = null);
