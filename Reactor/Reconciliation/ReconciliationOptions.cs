namespace EventDriven.Reactor.Reconciliation;

/// <summary>Bound from <c>Reactor:Reconciliation</c>.</summary>
public sealed class ReconciliationOptions
{
    /// <summary>
    /// How long a transfer may be under way (debited, neither completed nor refunded) before a run reports it. A
    /// transfer ends within a second when every service runs; minutes leave room for an outage the system rides out.
    /// </summary>
    public TimeSpan TransferOverdueAfter { get; set; } = TimeSpan.FromMinutes(5);
}
