using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using MassTransit;

namespace EventDriven.Accounts.Choreography;

/// <summary>
/// Account's part in the choreography, no orchestrator: Reactor's alerts freeze an account; Transactions' answers to a
/// closure request close it or return it to where it was. Each event runs as a command whose idempotency key is the
/// event's id, so a redelivery replays instead of re-applying.
/// </summary>
public sealed partial class ChoreographyReactions(AccountCommandHandler handler, ILogger<ChoreographyReactions> logger)
    : IConsumer<AlertRaised>, IConsumer<ClosureSettled>, IConsumer<ClosureRefused>
{
    public Task Consume(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
        return ReactAsync(ReactorEventTypes.AlertRaised, alert.EventId, alert.AccountId,
            account => AccountDecisions.Freeze(account, $"Alert {alert.Rule}: {alert.Reason}"), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ClosureSettled> context) =>
        ReactAsync(LedgerEventTypes.ClosureSettled, context.Message.EventId, context.Message.AccountId, AccountDecisions.Close, context.CancellationToken);

    public Task Consume(ConsumeContext<ClosureRefused> context)
    {
        var refused = context.Message;
        return ReactAsync(LedgerEventTypes.ClosureRefused, refused.EventId, refused.AccountId,
            account => AccountDecisions.RejectClosure(account, refused.Reason), context.CancellationToken);
    }

    private async Task ReactAsync(string type, Guid eventId, Guid accountId, Func<Account, Decision> decide, CancellationToken cancellationToken)
    {
        var command = new AccountCommand(accountId, Creates: false, $"event:{eventId}", type, ExpectedVersion: null);
        var outcome = await handler.ExecuteAsync(command, account => decide(account!), cancellationToken);
        if (outcome is not CommandOutcome.Done)
        {
            LogNotApplied(logger, type, eventId, accountId, outcome.ToString());
        }
    }

    [LoggerMessage(LogLevel.Information, "{Type} {EventId} for account {AccountId} changed nothing: {Outcome}")]
    private static partial void LogNotApplied(ILogger logger, string type, Guid eventId, Guid accountId, string outcome);
}
