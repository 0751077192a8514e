using EventDriven.Contracts.Transactions;

namespace EventDriven.Reactor.Alerts;

/// <summary>
/// What the alert rules look back over for one account: its movements out (withdrawals and outgoing transfers), each
/// at the ledger version that recorded it. It may hold the movement being judged, and later ones too (a redelivery);
/// only earlier versions count before a movement.
/// </summary>
public sealed record AlertWindow(IReadOnlyList<Outflow> Outflows)
{
    public static readonly AlertWindow Empty = new([]);

    /// <summary>
    /// The amount out before <paramref name="movement"/> within <paramref name="span"/> of it: earlier versions that
    /// happened after its time less the span, and not after its time.
    /// </summary>
    public decimal OutBefore(Outflow movement, TimeSpan span)
    {
        var from = movement.OccurredAt - span;
        return Outflows.Where(o => o.Version < movement.Version && o.OccurredAt > from && o.OccurredAt <= movement.OccurredAt).Sum(o => o.Amount);
    }

    /// <summary>
    /// The window after <paramref name="movement"/>: with it (once, however often it comes), without what happened
    /// <paramref name="span"/> or more before it, which no later movement can count (a ledger's times do not go back).
    /// </summary>
    public AlertWindow With(Outflow movement, TimeSpan span)
    {
        var from = movement.OccurredAt - span;
        var kept = Outflows.Where(o => o.OccurredAt > from);
        return new([.. Outflows.Any(o => o.Version == movement.Version) ? kept : kept.Append(movement)]);
    }
}

/// <summary>One movement out of an account: the ledger version that recorded it, when, and how much.</summary>
public sealed record Outflow(long Version, DateTimeOffset OccurredAt, decimal Amount)
{
    /// <summary>The movement out that <paramref name="event"/> records, if it is one (a withdrawal or a transfer's debit).</summary>
    public static Outflow? From(LedgerEvent @event) => @event switch
    {
        MoneyWithdrawn or TransferDebited => new(@event.Version, @event.OccurredAt, ((LedgerEntryEvent)@event).Amount),
        _ => null,
    };
}
