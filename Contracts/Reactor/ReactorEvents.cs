namespace EventDriven.Contracts.Reactor;

/// <summary>What Reactor publishes on <c>reactor.alerts</c>; Account freezes the named account.</summary>
public static class ReactorEventTypes
{
    public const string AlertRaised = "reactor.alert-raised.v1";

    public const string Source = "/eventdriven/reactor";
}

/// <summary>A rule over the transaction stream fired for an account (e.g. a withdrawal above a threshold).</summary>
public sealed record AlertRaised(Guid EventId, Guid AccountId, string Rule, string Reason, DateTimeOffset OccurredAt);
