using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using EventDriven.ServiceDefaults.Authentication;

namespace EventDriven.Web.Authentication;

/// <summary>
/// The signed-in people's tokens, one entry per sign-in (a session id the cookie carries), kept on the server so that
/// an interactive page (a Blazor circuit, which has no HTTP request of its own) and the next HTTP request of the same
/// browser use and renew the same tokens. Identity rotates refresh tokens — each is good once — so two copies renewing
/// on their own would spend the same one twice. The cookie keeps a copy too (<c>SaveTokens</c>): after a restart of the
/// web app the session is resumed from it, and each request writes the latest tokens back into it.
/// One web instance holds these in memory; several instances would need a shared store (see the README).
/// </summary>
public sealed partial class PersonSessions(IHttpClientFactory httpClientFactory, IConfiguration configuration, TimeProvider time, ILogger<PersonSessions> logger)
{
    public const string TokenClientName = "identity-refresh";

    /// <summary>The claim, in the cookie's principal only, naming the session; no token has it.</summary>
    public const string SessionClaim = "web_session";

    /// <summary>Renewed this long before it expires, so a call started now does not arrive with a token just expired.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(2);

    /// <summary>A session unused this long is dropped (its refresh token lives on in the cookie, which can resume it).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new sign-in: its tokens, under a new session id to put in the cookie.</summary>
    public string Start(PersonTokens tokens)
    {
        DropIdle();
        var id = Guid.NewGuid().ToString("N");
        _sessions[id] = new Session(tokens, time.GetUtcNow());
        return id;
    }

    /// <summary>The session's tokens now (null when unknown or ended), resumed from <paramref name="cookie"/> when this process does not know it.</summary>
    public PersonTokens? Current(string sessionId, PersonTokens? cookie = null)
    {
        if (_sessions.TryGetValue(sessionId, out var session))
        {
            return session.Ended ? null : session.Tokens;
        }

        if (cookie is null)
        {
            return null;
        }

        return _sessions.GetOrAdd(sessionId, _ => new Session(cookie, time.GetUtcNow())).Tokens;
    }

    /// <summary>
    /// An access token good for at least <see cref="RenewBefore"/>, renewed with the refresh token when needed (one
    /// renewal per session at a time); null when the session is unknown or can no longer be renewed (the person signs in again).
    /// </summary>
    public async Task<string?> AccessTokenAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || session.Ended)
        {
            return null;
        }

        session.LastUsed = time.GetUtcNow();
        if (session.Tokens.ExpiresAt - RenewBefore > time.GetUtcNow())
        {
            return session.Tokens.AccessToken;
        }

        await session.Renewing.WaitAsync(cancellationToken);
        try
        {
            if (session.Ended)
            {
                return null;
            }

            if (session.Tokens.ExpiresAt - RenewBefore > time.GetUtcNow())
            {
                return session.Tokens.AccessToken;
            }

            if (await RefreshAsync(session.Tokens, cancellationToken) is { } renewed)
            {
                session.Tokens = renewed;
                return renewed.AccessToken;
            }

            session.Ended = true;
            return null;
        }
        finally
        {
            session.Renewing.Release();
        }
    }

    /// <summary>
    /// Signed out: the session is marked ended rather than forgotten, so that a copy of the old cookie cannot resume
    /// it from the tokens it carries (<see cref="Current"/> answers null for an ended session) while this process keeps
    /// the mark (<see cref="Idle"/>; a restart forgets it).
    /// </summary>
    public void End(string sessionId) =>
        _sessions.AddOrUpdate(sessionId, _ => new Session(EndedTokens, time.GetUtcNow()) { Ended = true }, (_, session) =>
        {
            session.Ended = true;
            session.LastUsed = time.GetUtcNow();
            return session;
        });

    private static readonly PersonTokens EndedTokens = new("", null, DateTimeOffset.MinValue);

    private async Task<PersonTokens?> RefreshAsync(PersonTokens tokens, CancellationToken cancellationToken)
    {
        if (tokens.RefreshToken is null)
        {
            LogNotRenewed(logger, "no refresh token");
            return null;
        }

        var http = httpClientFactory.CreateClient(TokenClientName);
        using var response = await http.PostAsync(IdentityAuthority.TokenEndpoint(IdentityAuthority.Resolve(configuration)), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = WebAuthentication.ClientId,
            ["client_secret"] = configuration[ClientCredentialsExtensions.ClientSecretKey] ?? "",
            ["refresh_token"] = tokens.RefreshToken,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // OAuth's error code only: the description could echo what was sent.
            var error = (await ReadErrorAsync(response, cancellationToken))?.Error ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            LogNotRenewed(logger, error);
            return null;
        }

        var answer = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new HttpRequestException("Identity answered no token.");
        // Identity rotates refresh tokens; one that answers without a new one keeps the old.
        return new PersonTokens(answer.AccessToken, answer.RefreshToken ?? tokens.RefreshToken, time.GetUtcNow().AddSeconds(answer.ExpiresIn));
    }

    private static async Task<ErrorResponse?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ErrorResponse>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private void DropIdle()
    {
        var before = time.GetUtcNow() - Idle;
        foreach (var (id, session) in _sessions)
        {
            if (session.LastUsed < before)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private sealed class Session(PersonTokens tokens, DateTimeOffset lastUsed)
    {
        private volatile PersonTokens _tokens = tokens;

        public PersonTokens Tokens { get => _tokens; set => _tokens = value; }

        public SemaphoreSlim Renewing { get; } = new(1, 1);

        public volatile bool Ended;

        public DateTimeOffset LastUsed { get; set; } = lastUsed;
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record ErrorResponse([property: JsonPropertyName("error")] string? Error);

    [LoggerMessage(LogLevel.Information, "A person's session could not be renewed ({Reason}); they sign in again.")]
    private static partial void LogNotRenewed(ILogger logger, string reason);
}
