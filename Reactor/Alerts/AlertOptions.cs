namespace EventDriven.Reactor.Alerts;

/// <summary>The alert rules' thresholds, bound from <c>Reactor:Alerts</c>.</summary>
public sealed class AlertOptions
{
    /// <summary>A single movement out above this raises <see cref="AlertDecisions.LargeWithdrawal"/>.</summary>
    public decimal SingleLimit { get; set; } = 10_000m;

    /// <summary>Movements out adding up above this within <see cref="Window"/> raise <see cref="AlertDecisions.Velocity"/>.</summary>
    public decimal WindowLimit { get; set; } = 20_000m;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
