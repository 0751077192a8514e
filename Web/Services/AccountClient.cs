using System.Net.Http.Json;
using EventDriven.Web.Authentication;

namespace EventDriven.Web.Services;

/// <summary>Account's API (https+http://account): the list, one account, opening one, changing one.</summary>
public sealed class AccountClient(HttpClient http, SignedInPerson? person = null) : ConsumingServiceClient(http, Service, person)
{
    public const string Service = "Account";

    /// <summary>The outbox backlog and the relay's lag.</summary>
    public Task<ApiResult<OutboxStatus>> GetOutboxStatusAsync(CancellationToken cancellationToken) =>
        SendAsync<OutboxStatus>(ct => Http.GetAsync("/status/outbox", ct), cancellationToken);

    public Task<ApiResult<AccountPage>> ListAsync(string? owner, string? status, string? currency, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = new List<string> { $"page={page}", $"pageSize={pageSize}" };
        if (!string.IsNullOrWhiteSpace(owner)) query.Add($"owner={Uri.EscapeDataString(owner.Trim())}");
        if (!string.IsNullOrWhiteSpace(status)) query.Add($"status={Uri.EscapeDataString(status)}");
        if (!string.IsNullOrWhiteSpace(currency)) query.Add($"currency={Uri.EscapeDataString(currency)}");
        return SendAsync<AccountPage>(ct => Http.GetAsync($"/accounts?{string.Join('&', query)}", ct), cancellationToken);
    }

    public Task<ApiResult<AccountSnapshot>> GetAsync(Guid accountId, CancellationToken cancellationToken) =>
        SendAsync<AccountSnapshot>(ct => Http.GetAsync($"/accounts/{accountId}", ct), cancellationToken);

    /// <summary>The same <paramref name="idempotencyKey"/> for every attempt of one intent: Account opens one account for it.</summary>
    public Task<ApiResult<AccountSnapshot>> OpenAsync(OpenAccountRequest request, Guid idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<AccountSnapshot>(ct =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, "/accounts") { Content = JsonContent.Create(request) };
            message.Headers.Add("Idempotency-Key", idempotencyKey.ToString());
            return Http.SendAsync(message, ct);
        }, cancellationToken);

    /// <summary>
    /// A change to an account (address, contact details, freeze, unfreeze, closure) based on the version the person saw:
    /// <paramref name="ifMatch"/> is that version's ETag, so a change made meanwhile gives a 412 instead of being overwritten.
    /// </summary>
    public Task<ApiResult<AccountSnapshot>> ChangeAsync(Guid accountId, AccountChange change, object? body, string? ifMatch, Guid idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<AccountSnapshot>(ct =>
        {
            var (method, path) = change switch
            {
                AccountChange.Address => (HttpMethod.Put, "address"),
                AccountChange.Contact => (HttpMethod.Put, "contact"),
                AccountChange.Freeze => (HttpMethod.Post, "freeze"),
                AccountChange.Unfreeze => (HttpMethod.Post, "unfreeze"),
                _ => (HttpMethod.Post, "closure"),
            };
            var message = new HttpRequestMessage(method, $"/accounts/{accountId}/{path}") { Content = JsonContent.Create(body ?? new { }) };
            message.Headers.Add("Idempotency-Key", idempotencyKey.ToString());
            if (ifMatch is not null)
            {
                message.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            return Http.SendAsync(message, ct);
        }, cancellationToken);
}

public enum AccountChange
{
    Address,
    Contact,
    Freeze,
    Unfreeze,
    Closure,
}
