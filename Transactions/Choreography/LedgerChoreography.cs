using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Storage;
using EventDriven.ServiceDefaults.Kafka;
using MassTransit;

namespace EventDriven.Transactions.Choreography;

/// <summary>
/// Transactions' part in the choreography, no orchestrator. A transfer debited from its source is credited to its
/// target; if the target cannot take it (unknown, closed, frozen, another currency) it records that it declines, and
/// the source is refunded; once
/// credited, the source records the transfer complete. An account's closure request is answered by settling (empty
/// ledger, nothing under way) or refusing. Each step is a ledger command whose transaction id makes a redelivery a
/// no-op; offsets are committed after the step, so a restart mid-way repeats the step and nothing else. The messages
/// come through the shared pipeline (read by <see cref="ChoreographyMessages"/>).
/// </summary>
public sealed partial class LedgerChoreography(LedgerCommandHandler handler, LedgerStore ledgers, ILogger<LedgerChoreography> logger)
    : IConsumer<TransferDebited>, IConsumer<TransferCredited>, IConsumer<ClosureRequested>
{
    public Task Consume(ConsumeContext<TransferDebited> context) => CreditOrRefundAsync(context.Message, context.CancellationToken);

    public async Task Consume(ConsumeContext<TransferCredited> context)
    {
        // The transfer completes only if the target's ledger did record the credit the message speaks of.
        var credited = context.Message;
        var target = await ledgers.LoadAsync(credited.AccountId, context.CancellationToken);
        if (!target.Entries.TryGetValue(Ledger.IncomingKey(credited.TransactionId, credited.FromAccountId), out var credit)
            || credit.Kind != EntryKind.TransferIn || credit.Amount != credited.Amount)
        {
            throw new UnappliableMessageException(
                $"Transfer {credited.TransactionId}: ledger {credited.AccountId} recorded no credit of {credited.Amount} from {credited.FromAccountId}.");
        }

        Report(credited.TransactionId, await handler.ExecuteAsync(
            new CompleteTransfer(credited.FromAccountId, credited.TransactionId, credited.Amount, credited.Currency, credited.AccountId), context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<ClosureRequested> context)
    {
        var requested = context.Message.Event;
        Report(requested.EventId, await handler.ExecuteAsync(new SettleClosure(requested.AccountId, requested.EventId), context.CancellationToken));
    }

    private async Task CreditOrRefundAsync(TransferDebited debited, CancellationToken cancellationToken)
    {
        // The source appends its debit before the publisher can read it: a debit its ledger has no transfer for is forged.
        var source = await ledgers.LoadAsync(debited.AccountId, cancellationToken);
        if (!source.Entries.TryGetValue(debited.TransactionId, out var entry)
            || entry.Kind is not (EntryKind.TransferOut or EntryKind.TransferCompleted or EntryKind.TransferRefunded))
        {
            throw new UnappliableMessageException($"Transfer {debited.TransactionId}: ledger {debited.AccountId} recorded no such transfer.");
        }

        // The credit is what the source's ledger recorded, not what the message says: a message that differs (forged,
        // or garbled on the way) moves nothing and is parked for a person to see — also once the transfer has ended,
        // when the ledger's entry is its completion or refund, which repeat the debit's amount, currency and target.
        var recorded = (await ledgers.ReadEventAsync(debited.AccountId, entry.Version, cancellationToken)).Event switch
        {
            LedgerEvents.TransferDebited e => (e.TransactionId, e.Amount, e.Currency, e.ToAccountId),
            LedgerEvents.TransferCompleted e => (e.TransactionId, e.Amount, e.Currency, e.ToAccountId),
            LedgerEvents.TransferRefunded e => (e.TransactionId, e.Amount, e.Currency, e.ToAccountId),
            _ => default((Guid TransactionId, decimal Amount, string Currency, Guid ToAccountId)?),
        };
        if (recorded != (debited.TransactionId, debited.Amount, debited.Currency, debited.ToAccountId))
        {
            throw new UnappliableMessageException(
                $"Transfer {debited.TransactionId}: the message ({debited.Amount} {debited.Currency} to {debited.ToAccountId}) is not what ledger {debited.AccountId} recorded at version {entry.Version}.");
        }

        // A redelivered debit whose transfer has ended already (completed, or refunded) is not credited again.
        if (entry.Kind != EntryKind.TransferOut)
        {
            return;
        }

        // From here the message is what the ledger recorded (checked above).
        var credit = await handler.ExecuteAsync(
            new CreditTransfer(debited.ToAccountId, debited.TransactionId, debited.Amount, debited.Currency, debited.AccountId), cancellationToken);
        if (credit is not LedgerOutcome.Refused refused)
        {
            Report(debited.TransactionId, credit);
            return;
        }

        // The target records that it declines before the source is refunded: its ledger serialises the two answers, so a
        // transfer is never both credited and refunded, even if two consumers handle the same debit at once.
        var declined = await handler.ExecuteAsync(
            new DeclineTransfer(debited.ToAccountId, debited.TransactionId, debited.Amount, debited.Currency, debited.AccountId, refused.Reason), cancellationToken);
        switch (declined)
        {
            case LedgerOutcome.Done { Event: LedgerEvents.TransferDeclined decline }:
                LogRefunding(logger, debited.TransactionId, decline.Reason);
                Report(debited.TransactionId, await handler.ExecuteAsync(
                    new RefundTransfer(debited.AccountId, debited.TransactionId, debited.Amount, debited.Currency, debited.ToAccountId, decline.Reason), cancellationToken));
                break;
            case LedgerOutcome.Refused { Kind: RefusalKind.Conflict }:
                break; // Credited after all: the credited event completes the transfer.
            case LedgerOutcome.Refused other:
                // Neither credited nor declined, the transfer could never end: park it, never drop it.
                throw new UnappliableMessageException($"Transfer {debited.TransactionId} can be neither credited nor declined: {refused.Reason}; {other.Reason}");
            default:
                Report(debited.TransactionId, declined);
                break;
        }
    }

    /// <summary>A step that could not be taken for good reason is logged; a busy ledger is retried like any transient failure.</summary>
    private void Report(Guid transactionId, LedgerOutcome outcome)
    {
        switch (outcome)
        {
            case LedgerOutcome.Busy busy:
                throw new InvalidOperationException($"Ledger busy for {transactionId} after {busy.Attempts} attempts.");
            case LedgerOutcome.Refused refused:
                LogStepRefused(logger, transactionId, refused.Reason);
                break;
        }
    }

    [LoggerMessage(LogLevel.Information, "Transfer {TransactionId} is refunded: {Reason}")]
    private static partial void LogRefunding(ILogger logger, Guid transactionId, string reason);

    [LoggerMessage(LogLevel.Warning, "Choreography step for {TransactionId} refused: {Reason}")]
    private static partial void LogStepRefused(ILogger logger, Guid transactionId, string reason);

}

/// <summary>An account asked to be closed: the account's state event of type <c>account.closure-requested</c>.</summary>
public sealed record ClosureRequested(AccountStateChanged Event);
