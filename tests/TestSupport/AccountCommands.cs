using System.Net.Http.Json;
using System.Text.Json;

namespace EventDriven.Tests;

/// <summary>Account's API as tests and benchmarks drive it: every command with a fresh Idempotency-Key.</summary>
public static class AccountCommands
{
    /// <summary>Sends a command to Account and insists it succeeded; the caller disposes the response.</summary>
    public static async Task<HttpResponseMessage> SendCommandAsync(this HttpClient account, HttpMethod method, string path, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await account.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {problem}");
        }

        return response;
    }

    /// <summary>Opens an account (a test owner and address) and returns its id.</summary>
    public static async Task<Guid> OpenAccountAsync(this HttpClient account, string currency, CancellationToken cancellationToken, string ownerName = "Grace Hopper")
    {
        using var response = await account.SendCommandAsync(HttpMethod.Post, "/accounts", new
        {
            ownerName,
            email = "owner@example.com",
            address = new { street = "1 Main Street", city = "London", postalCode = "SW1Y 4JH", country = "GB" },
            currency,
        }, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accountId").GetGuid();
    }
}
