using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Aspire.Hosting.ApplicationModel;
using EventDriven.Contracts;

namespace EventDriven.AppHost.Hosting;

/// <summary>
/// The dashboard commands' own access token: client credentials of the <c>dashboard</c> client for the
/// <c>operations</c> scope, from Identity's token endpoint, put on each command's request (<see cref="AuthorizeAsync"/>
/// as <see cref="HttpCommandOptions.PrepareRequest"/>). The services admit it on their operations endpoints only.
/// Kept until a minute before it expires (a command is a click, a token a password-free round trip, but commands on
/// several instances come in bursts); one fetch at a time, shared by the commands that arrive meanwhile.
/// </summary>
public sealed class DashboardToken(EndpointReference identity, ParameterResource secret)
{
    public const string ClientId = "dashboard";

    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();

    /// <summary>The token kept, or the one fetch under way that callers arriving meanwhile share.</summary>
    private Task<CachedToken>? _token;

    /// <summary>Puts the bearer token on the command's request; a refusal by Identity fails the command with its reason.</summary>
    public async Task AuthorizeAsync(HttpCommandRequestContext context)
    {
        var token = await CurrentAsync(context.HttpClient).WaitAsync(context.CancellationToken);
        context.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    }

    /// <summary>
    /// The fetch is shared, so it is not cancelled with the command that started it (the others still want it); the
    /// HttpClient's timeout bounds it, and each command stops waiting when it is cancelled.
    /// </summary>
    private Task<CachedToken> CurrentAsync(HttpClient http)
    {
        lock (_gate)
        {
            // A failed or cancelled fetch, or a token near its end, is replaced; one still under way is shared.
            if (_token is null || _token.IsFaulted || _token.IsCanceled || (_token.IsCompletedSuccessfully && _token.Result.RenewAt <= DateTimeOffset.UtcNow))
            {
                _token = FetchAsync(http, CancellationToken.None);
            }

            return _token;
        }
    }

    private async Task<CachedToken> FetchAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var address = await identity.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("Identity has no address yet.");
        using var response = await http.PostAsync(new Uri(new Uri(address), "/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = await secret.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("The dashboard client has no secret."),
            ["scope"] = ServiceScopes.Operations,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // OAuth's error and its description; never the secret.
            throw new InvalidOperationException(
                $"Identity refused the dashboard a token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var answer = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("Identity answered no token.");
        var lifetime = TimeSpan.FromSeconds(Math.Max(answer.ExpiresIn, 0));
        return new CachedToken(answer.AccessToken, DateTimeOffset.UtcNow + (lifetime > RenewBefore * 2 ? lifetime - RenewBefore : lifetime / 2));
    }

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
