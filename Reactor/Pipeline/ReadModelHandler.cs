using EventDriven.Reactor.Alerts;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
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
        if (await projector.ApplyAsync(changed, context.CancellationToken) is { } row)
        {
            AppliedLineage.Report(ReadModelSchema.Name(ReadModel.AccountOverview), changed.Version);
            changes.Publish(AccountChanged.Applied(changed.AccountId, changed.Type, changed.Version, 0, time.GetUtcNow(), changed.Type, changed.EventId, KafkaDelivery.From(context), row.Owner));
        }
    }

    public async Task Consume(ConsumeContext<LedgerEventReceived> context)
    {
        var @event = context.Message.Event;
        if (await projector.ApplyAsync(@event, context.CancellationToken) is { } row)
        {
            // The overview row's ledger version; the history and daily totals took the event in the same transaction.
            AppliedLineage.Report(ReadModelSchema.Name(ReadModel.AccountOverview), @event.Version);
            var type = EventDriven.Contracts.Transactions.LedgerEventTypes.TypeOf(@event);
            changes.Publish(AccountChanged.Applied(@event.AccountId, type, 0, @event.Version, time.GetUtcNow(), type, @event.EventId, KafkaDelivery.From(context), row.Owner));
        }

        // Also for a redelivery: an alert produced before a crash is produced again with the same id, and Account deduplicates.
        await alerts.EvaluateAsync(@event, context.CancellationToken);
    }
}
