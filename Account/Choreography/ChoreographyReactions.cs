using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using MassTransit;

namespace EventDriven.Accounts.Choreography;

/// <summary>
/// Account's part in the choreography, no orchestrator: Reactor's alerts freeze an account; Transactions' answers to a
/// closure request close it or return it to where it was. Each event runs as a command whose idempotency key is the
/// event's id, in the events' key space (never a client's), so a redelivery replays instead of re-applying. A reaction
/// that cannot apply (the account unknown, or in a state that refuses it) is parked with its reason, never dropped:
/// it shows under the dead letters, and can be re-driven once the account allows it.
/// </summary>
public sealed class ChoreographyReactions(AccountCommandHandler handler)
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
        var command = new AccountCommand(accountId, Creates: false, eventId.ToString(), type, ExpectedVersion: null, KeySpace.Event);
        var outcome = await handler.ExecuteAsync(command, account => decide(account!), cancellationToken);
        if (outcome is not CommandOutcome.Done)
        {
            throw new UnappliableMessageException(outcome switch
            {
                CommandOutcome.NotFound => $"{type} {eventId}: account {accountId} does not exist.",
                CommandOutcome.Refused refused => $"{type} {eventId} refused by account {accountId}: {refused.Reason}",
                CommandOutcome.KeyReused => $"{type} {eventId} was applied before with other contents.",
                _ => $"{type} {eventId} for account {accountId}: {outcome}.",
            });
        }
    }
}
