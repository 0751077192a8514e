namespace EventDriven.Contracts.Reactor;

/// <summary>
/// Reactor's answer to <c>POST /reconciliation</c>: the sources of truth (Account's accounts, Transactions' ledgers)
/// compared with every copy of them. A field is compared only where the copy is at the source's version, so a field
/// difference is between the same version of the account or ledger; a copy at another version is one difference,
/// field <c>version</c> (or <c>accountVersion</c>/<c>ledgerVersion</c>), with both versions. Copies are read before
/// the sources: a change in flight shows as a copy behind its source, which a later run no longer reports.
/// </summary>
/// <param name="CheckedAt">When the run started.</param>
/// <param name="Accounts">Accounts in Account.</param>
/// <param name="Ledgers">Ledgers in Transactions (accounts with at least one ledger event).</param>
/// <param name="Copies">The name of every copy compared.</param>
/// <param name="Totals">Per currency: the sum of all ledger balances, and deposits minus withdrawals over every ledger event.</param>
/// <param name="Differences">Every difference found; empty when every copy agrees with its source.</param>
public sealed record ReconciliationReport(
    DateTimeOffset CheckedAt,
    int Accounts,
    int Ledgers,
    IReadOnlyList<string> Copies,
    IReadOnlyList<ReconciliationTotal> Totals,
    IReadOnlyList<ReconciliationDifference> Differences)
{
    /// <summary>How long a transfer may be under way before the run reports it (Reactor's <c>Reactor:Reconciliation:TransferOverdueAfter</c>).</summary>
    public TimeSpan TransferOverdueAfter { get; init; }

    /// <summary>
    /// Every transfer the ledgers say is under way (debited, neither completed nor refunded) for longer than
    /// <see cref="TransferOverdueAfter"/>, oldest first. Not a difference between copies: the ledgers agree that the
    /// money left the source; it has not arrived anywhere, and every transfer must end.
    /// </summary>
    public IReadOnlyList<OverdueTransfer> OverdueTransfers { get; init; } = [];
}

/// <summary>A transfer under way for longer than it should be: what it moves, from where to where, since when, and for how long at the run.</summary>
public sealed record OverdueTransfer(Guid TransactionId, Guid FromAccountId, Guid ToAccountId, decimal Amount, string Currency, DateTimeOffset StartedAt, TimeSpan Age);

/// <summary>
/// Money per currency. Transfers move money between ledgers and net to zero once completed or refunded, so the two
/// figures agree unless money is lost, made up, or (transiently) a transfer is under way.
/// </summary>
public sealed record ReconciliationTotal(string Currency, decimal LedgerBalances, decimal DepositsMinusWithdrawals);

/// <summary>
/// One disagreement: which account (null for a total), which copy, which field, which source, and both values as
/// text (null where the account, row or field is missing).
/// </summary>
public sealed record ReconciliationDifference(Guid? AccountId, string Copy, string Field, string Source, string? Expected, string? Actual);
