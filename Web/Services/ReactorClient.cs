using EventDriven.Contracts.Reactor;
using EventDriven.Web.Authentication;

namespace EventDriven.Web.Services;

/// <summary>Reactor's API (https+http://reactor): an account's overview row, the read model the pages compare with the sources; the event styles.</summary>
public sealed class ReactorClient(HttpClient http, SignedInPerson? person = null) : ConsumingServiceClient(http, Service, person)
{
    public const string Service = "Reactor";

    /// <summary>The read models' generations and the last (or running) rebuild.</summary>
    public Task<ApiResult<ReadModelsView>> GetReadModelsAsync(CancellationToken cancellationToken) =>
        SendAsync<ReadModelsView>(ct => Http.GetAsync("/read-models", ct), cancellationToken);

    /// <summary>Starts a rebuild of <paramref name="name"/> (409 while one runs).</summary>
    public Task<ApiResult<RebuildStatus>> RebuildAsync(string name, CancellationToken cancellationToken) =>
        SendAsync<RebuildStatus>(ct => Http.PostAsync($"/read-models/{Uri.EscapeDataString(name)}/rebuild", null, ct), cancellationToken);

    /// <summary>Compares every copy with the sources of truth (Reactor's POST /reconciliation); a 503 when a source or copy could not be read.</summary>
    public Task<ApiResult<ReconciliationReport>> ReconcileAsync(CancellationToken cancellationToken) =>
        SendAsync<ReconciliationReport>(ct => Http.PostAsync("/reconciliation", null, ct), cancellationToken);

    public Task<ApiResult<AccountOverview>> GetOverviewAsync(Guid accountId, CancellationToken cancellationToken) =>
        SendAsync<AccountOverview>(ct => Http.GetAsync($"/overview/{accountId}", ct), cancellationToken);

    /// <summary>The account's money movements, newest first; with <paramref name="before"/>, those below that ledger version (the next page).</summary>
    public Task<ApiResult<IReadOnlyList<HistoryLine>>> GetHistoryAsync(Guid accountId, int count, long? before, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<HistoryLine>>(ct => Http.GetAsync(
            $"/overview/{accountId}/history?count={count}{(before is { } version ? $"&before={version}" : "")}", ct), cancellationToken);

    /// <summary>What each event style has cost since Reactor started: calls to Account and bytes per change.</summary>
    public Task<ApiResult<IReadOnlyList<StyleFigures>>> GetStyleFiguresAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<StyleFigures>>(ct => Http.GetAsync("/styles", ct), cancellationToken);

    /// <summary>Where an event went, from every service (a 404 while no service has recorded anything of it).</summary>
    public Task<ApiResult<EventLineage>> GetEventLineageAsync(Guid eventId, CancellationToken cancellationToken) =>
        SendAsync<EventLineage>(ct => Http.GetAsync($"/events/{eventId}/lineage", ct), cancellationToken);

    /// <summary>The notification, delta and fat-event copies of an account (a 404 until a style has one).</summary>
    public Task<ApiResult<IReadOnlyList<AccountCopy>>> GetCopiesAsync(Guid accountId, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<AccountCopy>>(ct => Http.GetAsync($"/styles/{accountId}", ct), cancellationToken);
}
