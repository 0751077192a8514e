using EventDriven.Contracts.Reconciliation;
using EventDriven.KurrentDB.Client;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Storage;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Reconciliation;

/// <summary>
/// Every ledger as its events say, for reconciliation: one forward read of <c>$all</c> (ledger streams only), each
/// event folded into its ledger with the same <see cref="Ledger.Evolve"/> the commands use, and counted. Neither the
/// cache nor the snapshots are used: reconciliation asks the event store itself. One read, no lock; the cost is one
/// pass over the ledger events and a small record per ledger (and per transfer under way) in memory.
/// </summary>
public sealed class LedgerFactsReader(KurrentDBClient client)
{
    public async Task<LedgerFactsReport> ReadAsync(CancellationToken cancellationToken)
    {
        var ledgers = new Dictionary<Guid, Tally>();
        var underWay = new Dictionary<(Guid From, Guid TransactionId), TransferUnderWay>();
        ulong? readUpTo = null;
        await foreach (var resolved in client.ReadAllAsync(Direction.Forwards, Position.Start,
            filter: StreamFilter.Prefix(LedgerStore.StreamPrefix), cancellationToken: cancellationToken))
        {
            var recorded = LedgerEventSerializer.Deserialize(resolved.Event);
            if (!ledgers.TryGetValue(recorded.AccountId, out var tally))
            {
                ledgers[recorded.AccountId] = tally = new Tally(Ledger.Empty(recorded.AccountId));
            }

            if (recorded.Version != tally.Ledger.Version + 1)
            {
                throw new InvalidOperationException($"Ledger {recorded.AccountId} at version {tally.Ledger.Version} read version {recorded.Version} next.");
            }

            tally.Add(recorded.Event);
            Track(underWay, recorded);
            readUpTo = (resolved.OriginalPosition ?? resolved.Event.Position).CommitPosition;
        }

        return new LedgerFactsReport(readUpTo, [.. ledgers.Values.OrderBy(t => t.Ledger.AccountId).Select(t => t.ToFacts())])
        {
            TransfersUnderWay = [.. underWay.Values.OrderBy(t => t.StartedAt).ThenBy(t => t.TransactionId).Take(LedgerFactsReport.MaxTransfersUnderWay)],
        };
    }

    /// <summary>A debit starts a transfer under way, with the debit's own time; its completion or refund ends it.</summary>
    private static void Track(Dictionary<(Guid From, Guid TransactionId), TransferUnderWay> underWay, RecordedLedgerEvent recorded)
    {
        switch (recorded.Event)
        {
            case TransferDebited e:
                underWay[(recorded.AccountId, e.TransactionId)] = new(e.TransactionId, recorded.AccountId, e.ToAccountId, e.Amount, e.Currency, recorded.OccurredAt);
                break;
            case TransferCompleted or TransferRefunded:
                underWay.Remove((recorded.AccountId, ((TransactionStep)recorded.Event).TransactionId));
                break;
        }
    }

    private sealed class Tally(Ledger ledger)
    {
        public Ledger Ledger { get; private set; } = ledger;

        private int _entries, _deposits, _withdrawals, _transfersIn, _transfersOut;
        private decimal _deposited, _withdrawn;

        public void Add(LedgerEvent @event)
        {
            Ledger = Ledger.Evolve(Ledger, @event);
            if (@event is TransactionStep)
            {
                _entries++;
            }

            switch (@event)
            {
                case MoneyDeposited e:
                    _deposits++;
                    _deposited += e.Amount;
                    break;
                case MoneyWithdrawn e:
                    _withdrawals++;
                    _withdrawn += e.Amount;
                    break;
                case TransferCredited:
                    _transfersIn++;
                    break;
                case TransferDebited:
                    _transfersOut++;
                    break;
            }
        }

        public LedgerFacts ToFacts() => new(Ledger.AccountId, Ledger.Currency, Ledger.Balance, Ledger.Version, Ledger.Closed, Ledger.TransfersUnderWay,
            _entries, _deposits, _withdrawals, _transfersIn, _transfersOut, _deposited, _withdrawn);
    }
}
