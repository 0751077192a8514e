namespace EventDriven.Web.Services;

// The services' shapes as Web reads them (docs/openapi/*.json); only the fields the pages show.

public sealed record PostalAddress(string Street, string City, string PostalCode, string Country);

public sealed record AccountSnapshot(
    Guid AccountId, string OwnerName, string Email, string? Phone, PostalAddress Address, string Currency,
    string Status, string? FreezeReason, long Version, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt);

public sealed record AccountPage(IReadOnlyList<AccountSnapshot> Items, int Page, int PageSize, long Total);

public sealed record OpenAccountRequest(string? OwnerName, string? Email, string? Phone, PostalAddress? Address, string? Currency);

public sealed record AccountCopyView(string Status, long Version);

public sealed record LedgerSummary(
    Guid AccountId, string? Currency, decimal Balance, long Version, bool Closed, int TransfersUnderWay, AccountCopyView? Account);

public sealed record MoneyRequest(Guid TransactionId, decimal Amount, string Currency);

public sealed record LedgerReceipt(
    Guid TransactionId, Guid AccountId, string Type, decimal Amount, string Currency, decimal Balance, long Version, DateTimeOffset OccurredAt);

public sealed record AccountOverview(
    Guid AccountId, string? Status, string? Currency, decimal Balance, int Deposits, int Withdrawals,
    int TransfersIn, int TransfersOut, DateTimeOffset? LastActivity, long AccountVersion, long LedgerVersion);

/// <summary>
/// Reactor's push: one account's read models (or one event style's copy, cause <c>style:…</c>) changed, and what was
/// applied: the event, where Kafka delivered it, when it was published there and how long it took to apply.
/// </summary>
public sealed record AccountChanged(Guid AccountId, string Cause, long AccountVersion, long LedgerVersion, DateTimeOffset At)
{
    /// <summary>The account owner's subject (no personal data), so the web app shows each person only their accounts' changes; absent for accounts that predate owners.</summary>
    public string? Owner { get; init; }

    public string? EventType { get; init; }
    public Guid? EventId { get; init; }
    public string? Topic { get; init; }
    public int? Partition { get; init; }
    public long? Offset { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public double? LagMilliseconds { get; init; }

    /// <summary>The style whose copy changed ("notification", "delta", "state"); null for the read models.</summary>
    public string? Style => Cause.StartsWith("style:", StringComparison.Ordinal) ? Cause["style:".Length..] : null;
}

/// <summary>One event style as Reactor consumed it since it started: changes, calls back to Account, and bytes moved.</summary>
public sealed record StyleFigures(string Style, long Changes, long Calls, long Bytes, double CallsPerChange, double BytesPerChange);

/// <summary>One event style's copy of an account: the fields it holds, at the account version it reflects.</summary>
public sealed record AccountCopy(string Style, long Version, IReadOnlyDictionary<string, string> Fields);

public sealed record TransferRequest(Guid TransactionId, Guid ToAccountId, decimal Amount, string Currency);

public sealed record ContactDetailsRequest(string? Email, string? Phone);

public sealed record ReasonRequest(string? Reason);

/// <summary>One line of Reactor's history of an account: a money movement at the ledger version that recorded it.</summary>
public sealed record HistoryLine(
    Guid AccountId, long Version, Guid EventId, string Type, Guid TransactionId, decimal Amount, string Currency, decimal BalanceAfter,
    Guid? Counterparty, DateTimeOffset OccurredAt);
