using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.ReadModels;
using MassTransit;

namespace EventDriven.Reactor.Pipeline;

/// <summary>
/// Applies account states and ledger events to the read models (exactly once, see <see cref="Projector"/>), tells the
/// push channel, and runs the alert rules over each ledger event.
/// </summary>
public sealed class ReadModelHandler(Projector projector, ReadModelChanges changes, AlertRules alerts, TimeProvider time)
    : IConsumer<AccountStateReceived>, IConsumer<LedgerEventReceived>
{
    public async Task Consume(ConsumeContext<AccountStateReceived> context)
    {
        var changed = context.Message.Event;
        if (await projector.ApplyAsync(changed, context.CancellationToken))
        {
            changes.Publish(new AccountChanged(changed.AccountId, changed.Type, changed.Version, 0, time.GetUtcNow()));
        }
    }

    public async Task Consume(ConsumeContext<LedgerEventReceived> context)
    {
        var @event = context.Message.Event;
        if (await projector.ApplyAsync(@event, context.CancellationToken))
        {
            changes.Publish(new AccountChanged(@event.AccountId, EventDriven.Contracts.Transactions.LedgerEventTypes.TypeOf(@event), 0, @event.Version, time.GetUtcNow()));
        }

        // Also for a redelivery: an alert produced before a crash is produced again with the same id, and Account deduplicates.
        await alerts.EvaluateAsync(@event, context.CancellationToken);
    }
}
