using EventDriven.Contracts;
using EventDriven.Contracts.Reactor;
using EventDriven.Contracts.Transactions;

namespace EventDriven.Reactor.Alerts;

/// <summary>
/// The alert rules, as a function from an account's <see cref="AlertWindow"/>, the thresholds and a ledger event to the
/// window after it and the alerts to raise. No I/O; the time is the event's. A single withdrawal or outgoing transfer
/// above <see cref="AlertOptions.SingleLimit"/> raises <see cref="LargeWithdrawal"/>; otherwise, movements out adding up
/// above <see cref="AlertOptions.WindowLimit"/> within <see cref="AlertOptions.Window"/> raise <see cref="Velocity"/>,
/// by the one movement that crosses the limit. An alert's id derives from the event and the rule, and only earlier
/// versions count before a movement, so deciding the same event again raises the same alert with the same id.
/// </summary>
public static class AlertDecisions
{
    public const string LargeWithdrawal = "large-withdrawal";
    public const string Velocity = "withdrawal-velocity";

    public static AlertDecision Decide(AlertWindow window, AlertOptions options, LedgerEvent @event)
    {
        if (Outflow.From(@event) is not { } outflow)
        {
            return new(window, []);
        }

        var movement = (LedgerEntryEvent)@event;
        var after = window.With(outflow, options.Window);
        if (movement.Amount > options.SingleLimit)
        {
            return new(after, [Raise(movement, LargeWithdrawal, $"{movement.Amount} {movement.Currency} out in one movement (limit {options.SingleLimit}).")]);
        }

        var before = window.OutBefore(outflow, options.Window);
        return before <= options.WindowLimit && before + movement.Amount > options.WindowLimit
            ? new(after, [Raise(movement, Velocity, $"{before + movement.Amount} {movement.Currency} out within {options.Window.TotalSeconds:0} s (limit {options.WindowLimit}).")])
            : new(after, []);
    }

    public static Guid AlertId(Guid triggerEventId, string rule) => NameBasedId.From(triggerEventId, rule);

    private static AlertRaised Raise(LedgerEntryEvent trigger, string rule, string reason) =>
        new(AlertId(trigger.EventId, rule), trigger.AccountId, rule, reason, trigger.OccurredAt);
}

/// <summary>The account's window after the event, and the alerts the event raised (none, mostly).</summary>
public sealed record AlertDecision(AlertWindow Window, IReadOnlyList<AlertRaised> Alerts);
