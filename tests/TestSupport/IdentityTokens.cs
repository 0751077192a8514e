using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EventDriven.Tests;

/// <summary>
/// Access tokens from an identity server at <paramref name="authority"/>, as a script gets them without a browser:
/// the password grant through the development client <c>cli</c> for a person, client credentials for a client. Used
/// against a <see cref="LocalIdentityServer"/> and against the AppHost's own <c>identity</c> (whole-system tests and
/// benchmarks, with the demo users). Tokens are cached until a minute before they expire.
/// </summary>
public sealed class IdentityTokens(Uri authority) : IDisposable
{
    /// <summary>Every service's audience: a person's token for the whole system.</summary>
    public const string AllAudiences = "account transactions reactor";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new();
    private readonly HttpClient _http = new() { BaseAddress = authority };

    /// <summary>An access token for <paramref name="user"/> (password grant through <c>cli</c>), for every service unless <paramref name="scope"/> says otherwise.</summary>
    public Task<string> TokenAsync(TestUser user, string scope = AllAudiences) =>
        CachedAsync($"user {user.Id} {scope}", new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "cli",
            ["username"] = user.Email,
            ["password"] = user.Password,
            ["scope"] = scope,
        });

    /// <summary>A client-credentials token for the confidential client <paramref name="clientId"/>.</summary>
    public Task<string> ServiceTokenAsync(string clientId, string secret, string scope) =>
        CachedAsync($"client {clientId} {scope}", new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        });

    /// <summary>The <c>Authorization</c> header that carries <paramref name="user"/>'s token.</summary>
    public async Task<AuthenticationHeaderValue> BearerAsync(TestUser user, string scope = AllAudiences) =>
        new("Bearer", await TokenAsync(user, scope));

    /// <summary>
    /// A client at <paramref name="baseAddress"/> that asks for <paramref name="user"/>'s token on every request, so a
    /// client kept longer than a token lives (15 minutes) never sends an expired one.
    /// </summary>
    public HttpClient Client(Uri baseAddress, TestUser user, string scope = AllAudiences) =>
        BearerTokenHandler.Client(baseAddress, () => TokenAsync(user, scope));

    private async Task<string> CachedAsync(string key, Dictionary<string, string> form)
    {
        if (_tokens.TryGetValue(key, out var cached) && cached.Until > DateTimeOffset.UtcNow)
        {
            return cached.Token;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("connect/token", UriKind.Relative)) { Content = new FormUrlEncodedContent(form) };
        // Getting a token is no journey: the trace context says "not sampled", so an identity server that exports its
        // spans (the whole-system tests' receiver) starts no trace for it.
        request.Headers.Add("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new RefusedException($"The identity server refused a token for {key}: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        var lifetime = TimeSpan.FromSeconds(json.RootElement.GetProperty("expires_in").GetInt32());
        _tokens[key] = (token, DateTimeOffset.UtcNow + lifetime - TimeSpan.FromMinutes(1));
        return token;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The identity server answered a token request with an error (a caller under faults may try again).</summary>
    public sealed class RefusedException(string message) : InvalidOperationException(message);
}
