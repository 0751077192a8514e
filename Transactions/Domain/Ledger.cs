using System.Collections.Immutable;
using EventDriven.Contracts;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Domain;

/// <summary>
/// One account's ledger: the fold of its events. Its version is the number of events folded (the first event makes
/// version 1). It remembers every transaction id it has recorded, with the step and the version that recorded it, so a
/// repeated command is recognised and answered from the stream instead of being applied twice.
/// </summary>
public sealed record Ledger(
    Guid AccountId,
    string? Currency,
    decimal Balance,
    long Version,
    bool Closed,
    int TransfersUnderWay,
    ImmutableDictionary<Guid, LedgerEntry> Entries)
{
    public static Ledger Empty(Guid accountId) => new(accountId, null, 0m, 0, false, 0, ImmutableDictionary<Guid, LedgerEntry>.Empty);

    public static Ledger Evolve(Ledger ledger, LedgerEvent @event)
    {
        var version = ledger.Version + 1;
        var next = @event switch
        {
            Opened opened => ledger with { Currency = opened.Currency },
            MoneyDeposited e => Record(ledger, e, EntryKind.Deposit, version),
            MoneyWithdrawn e => Record(ledger, e, EntryKind.Withdrawal, version),
            TransferDebited e => Record(ledger, e, EntryKind.TransferOut, version) with { TransfersUnderWay = ledger.TransfersUnderWay + 1 },
            TransferCredited e => Record(ledger, e, EntryKind.TransferIn, version),
            // A declined credit moves no money and says nothing of the ledger's currency: only its entry is kept.
            TransferDeclined e => ledger with { Entries = ledger.Entries.SetItem(EntryKey(e), new(EntryKind.TransferDeclined, version, e.Amount)) },
            TransferCompleted e => Record(ledger, e, EntryKind.TransferCompleted, version) with { TransfersUnderWay = ledger.TransfersUnderWay - 1 },
            TransferRefunded e => Record(ledger, e, EntryKind.TransferRefunded, version) with { TransfersUnderWay = ledger.TransfersUnderWay - 1 },
            ClosureSettled e => ledger with { Closed = true, Entries = ledger.Entries.SetItem(e.ClosureRequestId, new(EntryKind.ClosureAnswer, version, 0m)) },
            ClosureRefused e => ledger with { Entries = ledger.Entries.SetItem(e.ClosureRequestId, new(EntryKind.ClosureAnswer, version, 0m)) },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Not a ledger event."),
        };
        return next with { Version = version };
    }

    public static Ledger Fold(Ledger ledger, IEnumerable<LedgerEvent> events) => events.Aggregate(ledger, Evolve);

    private static Ledger Record(Ledger ledger, TransactionStep e, EntryKind kind, long version) => ledger with
    {
        Currency = e.Currency,
        Balance = e.BalanceAfter,
        Entries = ledger.Entries.SetItem(EntryKey(e), new LedgerEntry(kind, version, e.Amount)),
    };

    /// <summary>
    /// Under which key a ledger remembers an event's transaction. Transaction ids are unique per source account, so an
    /// incoming transfer (credited or declined) is known by its transaction id together with its source.
    /// </summary>
    public static Guid EntryKey(TransactionStep e) => e switch
    {
        TransferCredited c => IncomingKey(c.TransactionId, c.FromAccountId),
        TransferDeclined d => IncomingKey(d.TransactionId, d.FromAccountId),
        _ => e.TransactionId,
    };

    public static Guid IncomingKey(Guid transactionId, Guid fromAccountId) => NameBasedId.From(transactionId, $"from/{fromAccountId:N}");
}

/// <summary>What a ledger recorded for a transaction id: the latest step, the version that recorded it, the amount.</summary>
public readonly record struct LedgerEntry(EntryKind Kind, long Version, decimal Amount);

public enum EntryKind
{
    Deposit,
    Withdrawal,
    TransferOut,
    TransferCompleted,
    TransferRefunded,
    TransferIn,
    TransferDeclined,
    ClosureAnswer,
}
