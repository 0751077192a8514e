using System.Text.Json;

namespace EventDriven.Contracts.Transactions;

/// <summary>
/// The contract of <c>transactions.events</c>: the ledger's events as published, by CloudEvents type (<c>ce_type</c>).
/// Transactions keeps events of its own (its domain's, stored in its shape) and maps them to these records when it
/// publishes them and in its HTTP API, so the ledger's events and this contract change independently; a change here
/// is a new versioned type, not an edit of one consumers read.
/// </summary>
public static class LedgerEventTypes
{
    public const string Opened = "ledger.opened.v1";
    public const string MoneyDeposited = "ledger.money-deposited.v1";
    public const string MoneyWithdrawn = "ledger.money-withdrawn.v1";
    public const string TransferDebited = "ledger.transfer-debited.v1";
    public const string TransferCredited = "ledger.transfer-credited.v1";
    public const string TransferDeclined = "ledger.transfer-declined.v1";
    public const string TransferCompleted = "ledger.transfer-completed.v1";
    public const string TransferRefunded = "ledger.transfer-refunded.v1";
    public const string ClosureSettled = "ledger.closure-settled.v1";
    public const string ClosureRefused = "ledger.closure-refused.v1";

    public static readonly IReadOnlyDictionary<string, Type> All = new Dictionary<string, Type>
    {
        [Opened] = typeof(LedgerOpened),
        [MoneyDeposited] = typeof(MoneyDeposited),
        [MoneyWithdrawn] = typeof(MoneyWithdrawn),
        [TransferDebited] = typeof(TransferDebited),
        [TransferCredited] = typeof(TransferCredited),
        [TransferDeclined] = typeof(TransferDeclined),
        [TransferCompleted] = typeof(TransferCompleted),
        [TransferRefunded] = typeof(TransferRefunded),
        [ClosureSettled] = typeof(ClosureSettled),
        [ClosureRefused] = typeof(ClosureRefused),
    };

    private static readonly Dictionary<Type, string> Names = All.ToDictionary(pair => pair.Value, pair => pair.Key);

    public static string TypeOf(LedgerEvent @event) =>
        Names.TryGetValue(@event.GetType(), out var name) ? name : throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Not a ledger event.");

    /// <summary>A ledger event from its type name and JSON (as published on Kafka).</summary>
    public static LedgerEvent Deserialize(string type, ReadOnlySpan<byte> json) =>
        All.TryGetValue(type, out var clrType)
            ? (LedgerEvent)(JsonSerializer.Deserialize(json, clrType, ContractJson.Options) ?? throw new JsonException($"A {type} without data."))
            : throw new JsonException($"'{type}' is not a ledger event type.");

    /// <summary>The <c>ce_source</c> of everything the Transactions service publishes.</summary>
    public const string Source = "/eventdriven/transactions";
}

/// <summary>
/// What every ledger event carries: its id (deduplication), the account whose ledger it is (the Kafka key), the
/// ledger's version after it (1 for the first event; ordering and version gating) and when it happened.
/// </summary>
public abstract record LedgerEvent(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt);

/// <summary>A money movement: the transaction it belongs to, the amount, and the balance it left.</summary>
public abstract record LedgerEntryEvent(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter)
    : LedgerEvent(EventId, AccountId, Version, OccurredAt);

/// <summary>The account's ledger began (before its first movement), in the account's currency.</summary>
public sealed record LedgerOpened(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, string Currency)
    : LedgerEvent(EventId, AccountId, Version, OccurredAt);

public sealed record MoneyDeposited(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

public sealed record MoneyWithdrawn(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>A transfer's first step, on the source: the money left. The target's credit (or the refund) follows.</summary>
public sealed record TransferDebited(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>A transfer's second step, on the target: the money arrived.</summary>
public sealed record TransferCredited(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid FromAccountId)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>
/// A transfer's second step, on the target, when it cannot take the money (unknown, closed, frozen, another currency):
/// the target's final word on that transfer, recorded before the source is refunded. The balance does not change.
/// </summary>
public sealed record TransferDeclined(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid FromAccountId, string Reason)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>A transfer's last step, on the source, when the target took the money: nothing is under way any more.</summary>
public sealed record TransferCompleted(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>A transfer's last step, on the source, when the target could not take the money: it came back.</summary>
public sealed record TransferRefunded(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter, Guid ToAccountId, string Reason)
    : LedgerEntryEvent(EventId, AccountId, Version, OccurredAt, TransactionId, Amount, Currency, BalanceAfter);

/// <summary>The answer to an account's closure request when the ledger is empty: the account may close; the ledger takes no more money.</summary>
public sealed record ClosureSettled(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid ClosureRequestId)
    : LedgerEvent(EventId, AccountId, Version, OccurredAt);

/// <summary>The answer to an account's closure request when money is still in the ledger or under way: the account stays open.</summary>
public sealed record ClosureRefused(Guid EventId, Guid AccountId, long Version, DateTimeOffset OccurredAt, Guid ClosureRequestId, string Reason)
    : LedgerEvent(EventId, AccountId, Version, OccurredAt);
