using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Storage;
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
        var credited = context.Message;
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
        // A redelivered debit whose transfer has finished already (refunded, or completed) is not credited again.
        var source = await ledgers.LoadAsync(debited.AccountId, cancellationToken);
        if (!source.Entries.TryGetValue(debited.TransactionId, out var entry) || entry.Kind != EntryKind.TransferOut)
        {
            return;
        }

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
        if (declined is LedgerOutcome.Done { Event: LedgerEvents.TransferDeclined decline })
        {
            LogRefunding(logger, debited.TransactionId, decline.Reason);
            Report(debited.TransactionId, await handler.ExecuteAsync(
                new RefundTransfer(debited.AccountId, debited.TransactionId, debited.Amount, debited.Currency, debited.ToAccountId, decline.Reason), cancellationToken));
        }
        else
        {
            Report(debited.TransactionId, declined); // Credited after all: the credited event completes the transfer.
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
