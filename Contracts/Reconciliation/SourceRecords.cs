using EventDriven.Contracts.Accounts;

namespace EventDriven.Contracts.Reconciliation;

/// <summary>
/// Account's <c>GET /reconciliation/accounts</c>: accounts in id order, a page at a time; <paramref name="Next"/> is the
/// <c>after</c> of the next page (null: this was the last).
/// </summary>
public sealed record AccountSnapshotPage(IReadOnlyList<AccountSnapshot> Items, Guid? Next);

/// <summary>
/// Transactions' <c>GET /reconciliation/account-copy</c>: what its copy of account state holds (currency, status and
/// version; nothing else is used there), in id order, a page at a time.
/// </summary>
public sealed record AccountCopyPage(IReadOnlyList<AccountCopyEntry> Items, Guid? Next);

public sealed record AccountCopyEntry(Guid AccountId, string Currency, AccountStatus Status, long Version);

/// <summary>
/// Transactions' <c>GET /reconciliation/ledgers</c>: every ledger folded from its events in the event store, as of the
/// <c>$all</c> position <paramref name="ReadUpTo"/> (null: the store holds no ledger event).
/// </summary>
public sealed record LedgerFactsReport(ulong? ReadUpTo, IReadOnlyList<LedgerFacts> Ledgers)
{
    /// <summary>
    /// The transfers under way as of <see cref="ReadUpTo"/> (debited from their source, neither completed nor refunded),
    /// oldest first, at most <see cref="MaxTransfersUnderWay"/>; how many there are in all is the sum of the ledgers'
    /// <see cref="LedgerFacts.TransfersUnderWay"/>.
    /// </summary>
    public IReadOnlyList<TransferUnderWay> TransfersUnderWay { get; init; } = [];

    public const int MaxTransfersUnderWay = 1000;
}

/// <summary>
/// A transfer under way: debited from <paramref name="FromAccountId"/> at <paramref name="StartedAt"/> (the debit's time
/// in the ledger), for <paramref name="ToAccountId"/>, and not yet completed or refunded.
/// </summary>
public sealed record TransferUnderWay(Guid TransactionId, Guid FromAccountId, Guid ToAccountId, decimal Amount, string Currency, DateTimeOffset StartedAt);

/// <summary>
/// One ledger as its events say: balance and version; whether it is closed (the closure settled); how many entries
/// (money movements, a declined credit included) and of which kind; and the money deposited and withdrawn over all
/// its events, for the totals.
/// </summary>
public sealed record LedgerFacts(
    Guid AccountId,
    string? Currency,
    decimal Balance,
    long Version,
    bool Closed,
    int TransfersUnderWay,
    int Entries,
    int Deposits,
    int Withdrawals,
    int TransfersIn,
    int TransfersOut,
    decimal Deposited,
    decimal Withdrawn);
