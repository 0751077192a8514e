using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace EventDriven.ServiceDefaults.Authentication;

/// <summary>
/// A service's own access token (OAuth client credentials) for one set of scopes, fetched from the identity server's
/// token endpoint when first needed and kept until a minute before it expires, so that calls do not each cost a token
/// request. One fetch at a time: callers arriving meanwhile wait for it. A token the callee refused is forgotten.
/// </summary>
public sealed class ClientCredentialsTokens(HttpClient http, Uri tokenEndpoint, string clientId, string clientSecret, string scope, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _fetching = new(1, 1);

    /// <summary>Replaced whole (a reference, read and written atomically), so a reader never sees one token with another's time.</summary>
    private volatile CachedToken? _current;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RenewAt)
        {
            return current.Token;
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fetched && time.GetUtcNow() < fetched.RenewAt)
            {
                return fetched.Token;
            }

            using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = clientSecret,
                ["scope"] = scope,
            }), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // The body is OAuth's error and its description; never the secret.
                throw new HttpRequestException(
                    $"The identity server refused client {clientId} a token for '{scope}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}",
                    inner: null, response.StatusCode);
            }

            var answer = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
                ?? throw new HttpRequestException("The identity server answered no token.");
            var lifetime = TimeSpan.FromSeconds(Math.Max(answer.ExpiresIn, 0));
            _current = new CachedToken(answer.AccessToken, time.GetUtcNow() + (lifetime > RenewBefore * 2 ? lifetime - RenewBefore : lifetime / 2));
            return answer.AccessToken;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> if it is still the one kept (the callee refused it: revoked, or keys changed).</summary>
    public void Forget(string token)
    {
        if (_current is { } current && current.Token == token)
        {
            _current = null;
        }
    }

    public void Dispose() => _fetching.Dispose();

    private sealed record CachedToken(string Token, DateTimeOffset RenewAt);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
