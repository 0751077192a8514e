using EventDriven.Contracts.Lineage;

namespace EventDriven.Contracts.Reactor;

/// <summary>
/// Where an event went, from every service (Reactor's <c>GET /events/{eventId}/lineage</c>): stored and published
/// (Account or Transactions), applied by each consumer group (all three services), with what that produced, and the
/// trace the event belongs to. <see cref="Sources"/> says which services answered; a service that did not is listed as
/// unavailable and its part is missing, not guessed.
/// </summary>
public sealed record EventLineage(
    Guid EventId,
    string? TraceId,
    IReadOnlyList<EventPublication> Publications,
    IReadOnlyList<EventApplication> Applications,
    IReadOnlyList<LineageSource> Sources);

/// <summary>Whether a service was asked successfully: <c>answered</c>, <c>nothing</c> (it knows nothing of the event) or <c>unavailable</c>.</summary>
public sealed record LineageSource(string Service, string Status, string? Detail)
{
    public const string Answered = "answered";
    public const string Nothing = "nothing";
    public const string Unavailable = "unavailable";
}
