using System.Net.Http.Headers;

namespace EventDriven.Web.Authentication;

/// <summary>
/// Puts the signed-in person's access token on each request of the typed clients. The handler chain is shared by every
/// circuit (IHttpClientFactory pools it), so it cannot hold the person: the typed client, made in the circuit's scope,
/// names them for the call (<see cref="Current"/>, which flows with the call like its cancellation). A call made for no
/// one goes without a token, and the service answers 401.
/// </summary>
public sealed class PersonTokenHandler(PersonSessions sessions) : DelegatingHandler
{
    private static readonly AsyncLocal<SignedInPerson?> CurrentPerson = new();

    /// <summary>The person the call under way is made for (set by the typed client around each call).</summary>
    public static SignedInPerson? Current
    {
        get => CurrentPerson.Value;
        set => CurrentPerson.Value = value;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current is { } person && await person.SessionIdAsync() is { } session
            && await sessions.AccessTokenAsync(session, cancellationToken) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
