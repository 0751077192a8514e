namespace EventDriven.Contracts.Transactions;

/// <summary>
/// The ledger events other services react to, on <c>transactions.events</c>. For now the answers to an account's
/// closure request, which Account consumes; the rest of the ledger's events join with the Transactions service.
/// </summary>
public static class LedgerEventTypes
{
    public const string ClosureSettled = "ledger.closure-settled.v1";
    public const string ClosureRefused = "ledger.closure-refused.v1";

    public const string Source = "/eventdriven/transactions";
}

/// <summary>The ledger's balance was settled to zero: the account may close.</summary>
public sealed record ClosureSettled(Guid EventId, Guid AccountId, DateTimeOffset OccurredAt);

/// <summary>The ledger cannot settle (e.g. money is still in it): the account stays open.</summary>
public sealed record ClosureRefused(Guid EventId, Guid AccountId, string Reason, DateTimeOffset OccurredAt);
