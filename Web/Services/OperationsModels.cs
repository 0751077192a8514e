global using EventDriven.ServiceDefaults.Kafka;
global using EventDriven.ServiceDefaults.Status;
using EventDriven.Web.Authentication;

namespace EventDriven.Web.Services;

// The services' operational shapes as Web reads them (docs/openapi/*.json). Dead letters and consumer lag are the
// service defaults' own records (DeadLetter, ConsumerLag, PartitionLag), which every service answers with; Account's
// outbox, Transactions' publisher and Reactor's read models are described here.

public sealed record RelayedMessage(DateTimeOffset AcknowledgedAt, double LagMilliseconds);

public sealed record OutboxStatus(string RelayMode, long Backlog, double? OldestSeconds, long? SlotLagBytes, RelayedMessage? LastRelayed);

public sealed record PublisherStatus(
    ulong? CheckpointPosition, DateTimeOffset? CheckpointSavedAt, ulong? EndPosition, ulong PositionsBehind,
    int EventsBehind, bool EventsBehindCapped, double? OldestUnpublishedSeconds);

public sealed record ReadModelInfo(string Name, int Generation, DateTimeOffset? RebuiltAt, long? RebuildEvents, double? RebuildEventsPerSecond);

public sealed record RebuildStatus(
    string Model, int Generation, string State, long Events, double Seconds, double EventsPerSecond, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string? Error, double Progress);

public sealed record ReadModelsView(IReadOnlyList<ReadModelInfo> Models, RebuildStatus? LastRebuild);

/// <summary>What every service answers about its Kafka consumers: their dead letters and their lag.</summary>
public interface IConsumingService
{
    string Service { get; }

    /// <summary>Parked messages; with <paramref name="all"/>, re-driven ones too.</summary>
    Task<ApiResult<IReadOnlyList<DeadLetter>>> ListDeadLettersAsync(bool all, CancellationToken cancellationToken);

    /// <summary>
    /// Produces dead letter <paramref name="id"/> again to its topic. One intent, one effect: the service marks it
    /// re-driven in the transaction that produced it, so a retry of the same request is refused with 404 and produces
    /// nothing more.
    /// </summary>
    Task<ApiResult<Accepted>> RedriveAsync(long id, CancellationToken cancellationToken);

    Task<ApiResult<IReadOnlyList<ConsumerLag>>> GetConsumerLagAsync(CancellationToken cancellationToken);
}

/// <summary>A 202 without a body.</summary>
public sealed record Accepted;

/// <summary>
/// The calls every consuming service answers the same way (<c>/dead-letters</c>, <c>/status/consumers</c>), once for
/// the typed clients of Account, Transactions and Reactor.
/// </summary>
public abstract class ConsumingServiceClient(HttpClient http, string service, SignedInPerson? person) : IConsumingService
{
    protected HttpClient Http { get; } = http;

    /// <summary>
    /// Sends for the person this client was made for (a page's; none for work done in the web app's own name, whose
    /// HttpClient carries its own token), and turns every outcome into an <see cref="ApiResult{T}"/>.
    /// </summary>
    protected async Task<ApiResult<T>> SendAsync<T>(Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        // Set inside this async method, so it flows into the call and is undone when the method returns.
        PersonTokenHandler.Current = person;
        return await ApiCalls.SendAsync<T>(service, send, cancellationToken);
    }

    string IConsumingService.Service => service;

    public Task<ApiResult<IReadOnlyList<DeadLetter>>> ListDeadLettersAsync(bool all, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<DeadLetter>>(ct => Http.GetAsync($"/dead-letters?all={(all ? "true" : "false")}", ct), cancellationToken);

    public Task<ApiResult<Accepted>> RedriveAsync(long id, CancellationToken cancellationToken) =>
        SendAsync<Accepted>(ct => Http.PostAsync($"/dead-letters/{id}/redrive", null, ct), cancellationToken);

    public Task<ApiResult<IReadOnlyList<ConsumerLag>>> GetConsumerLagAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<ConsumerLag>>(ct => Http.GetAsync("/status/consumers", ct), cancellationToken);
}
