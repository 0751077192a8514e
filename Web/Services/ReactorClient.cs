namespace EventDriven.Web.Services;

/// <summary>Reactor's API (https+http://reactor): an account's overview row, the read model the pages compare with the sources.</summary>
public sealed class ReactorClient(HttpClient http)
{
    public const string Service = "Reactor";

    public Task<ApiResult<AccountOverview>> GetOverviewAsync(Guid accountId, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<AccountOverview>(Service, ct => http.GetAsync($"/overview/{accountId}", ct), cancellationToken);

    /// <summary>The account's money movements, newest first; with <paramref name="before"/>, those below that ledger version (the next page).</summary>
    public Task<ApiResult<IReadOnlyList<HistoryLine>>> GetHistoryAsync(Guid accountId, int count, long? before, CancellationToken cancellationToken) =>
        ApiCalls.SendAsync<IReadOnlyList<HistoryLine>>(Service, ct => http.GetAsync(
            $"/overview/{accountId}/history?count={count}{(before is { } version ? $"&before={version}" : "")}", ct), cancellationToken);
}
