using System.Diagnostics;
using System.Text.Json;
using EventDriven.Accounts.Domain;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;

namespace EventDriven.Accounts.Outbox;

/// <summary>
/// A message waiting in the outbox: everything the relay needs to produce it, including the request's trace and who
/// asked for the change (<see cref="Actor"/>, the caller's subject, sent as <c>ce_actor</c>; null when no one asked).
/// </summary>
public sealed record OutboxMessage(
    Guid EventId,
    string Topic,
    string Key,
    string Type,
    string Payload,
    DateTimeOffset OccurredAt,
    string? TraceParent,
    string? TraceState,
    string? Actor = null)
{
    /// <summary>
    /// The three messages of one account event: a notification, a delta and the fat state, one per topic, sharing the
    /// event's id (each topic's consumers deduplicate on it) and the current trace context.
    /// </summary>
    public static IEnumerable<OutboxMessage> ForEvent(AccountEvent @event, Account? before, Account after, Guid eventId, DateTimeOffset at, string? actor = null)
    {
        var key = after.Id.ToString();
        var (traceParent, traceState) = CurrentTrace();
        var beforeSnapshot = before?.ToSnapshot();
        var afterSnapshot = after.ToSnapshot();
        yield return new(eventId, Topics.AccountNotifications, key, @event.Type,
            Json(new AccountNotification(eventId, after.Id, after.Version, at, @event.Type)), at, traceParent, traceState, actor);
        yield return new(eventId, Topics.AccountDeltas, key, @event.Type,
            Json(new AccountDelta(eventId, after.Id, after.Version, at, @event.Type, AccountFields.Changes(beforeSnapshot, afterSnapshot))), at, traceParent, traceState, actor);
        yield return new(eventId, Topics.AccountState, key, @event.Type,
            Json(new AccountStateChanged(eventId, after.Id, after.Version, at, @event.Type, beforeSnapshot, afterSnapshot)), at, traceParent, traceState, actor);
    }

    private static string Json<T>(T payload) => JsonSerializer.Serialize(payload, ContractJson.Options);

    private static (string? TraceParent, string? TraceState) CurrentTrace() =>
        Activity.Current is { } activity
            ? ($"00-{activity.TraceId}-{activity.SpanId}-{(activity.Recorded ? "01" : "00")}", activity.TraceStateString)
            : (null, null);
}
