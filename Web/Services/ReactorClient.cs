namespace EventDriven.Web.Services;

/// <summary>Reactor's API (https+http://reactor): an account's overview row, the read model the pages compare with the sources; the event styles.</summary>
public sealed class ReactorClient(HttpClient http) : IConsumingService
{
    public const string Service = "Reactor";

    public Task<ApiResult<IReadOnlyList<DeadLetter>>> ListDeadLettersAsync(bool all, CancellationToken cancellationToken) =>
        ConsumingServiceCalls.ListDeadLettersAsync(http, Service, all, cancellationToken);

    public Task<ApiResult<Accepted>> RedriveAsync(long id, CancellationToken cancellationToken) =>
        ConsumingServiceCalls.RedriveAsync(http, Service, id, cancellationToken);

    public Task<ApiResult<IReadOnlyList<ConsumerLag>>> GetConsumerLagAsync(CancellationToken cancellationToken) =>
        ConsumingServiceCalls.GetConsumerLagAsync(http, Service, cancellationToken);

    string IConsumingService.Service => Service;

    /// <summary>The read models' generations and the last (or running) rebuild.</summary>
    public Task<ApiResult<ReadModelsView>> GetReadModelsAsync(CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<ReadModelsView>(Service, ct => http.GetAsync("/read-models", ct), cancellationToken);

    /// <summary>Starts a rebuild of <paramref name="name"/> (409 while one runs).</summary>
    public Task<ApiResult<RebuildStatus>> RebuildAsync(string name, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<RebuildStatus>(Service, ct => http.PostAsync($"/read-models/{Uri.EscapeDataString(name)}/rebuild", null, ct), cancellationToken);

    public Task<ApiResult<AccountOverview>> GetOverviewAsync(Guid accountId, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<AccountOverview>(Service, ct => http.GetAsync($"/overview/{accountId}", ct), cancellationToken);

    /// <summary>The account's money movements, newest first; with <paramref name="before"/>, those below that ledger version (the next page).</summary>
    public Task<ApiResult<IReadOnlyList<HistoryLine>>> GetHistoryAsync(Guid accountId, int count, long? before, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<IReadOnlyList<HistoryLine>>(Service, ct => http.GetAsync(
            $"/overview/{accountId}/history?count={count}{(before is { } version ? $"&before={version}" : "")}", ct), cancellationToken);

    /// <summary>What each event style has cost since Reactor started: calls to Account and bytes per change.</summary>
    public Task<ApiResult<IReadOnlyList<StyleFigures>>> GetStyleFiguresAsync(CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<IReadOnlyList<StyleFigures>>(Service, ct => http.GetAsync("/styles", ct), cancellationToken);

    /// <summary>The notification, delta and fat-event copies of an account (a 404 until a style has one).</summary>
    public Task<ApiResult<IReadOnlyList<AccountCopy>>> GetCopiesAsync(Guid accountId, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<IReadOnlyList<AccountCopy>>(Service, ct => http.GetAsync($"/styles/{accountId}", ct), cancellationToken);
}
