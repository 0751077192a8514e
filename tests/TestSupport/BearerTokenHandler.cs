using System.Net.Http.Headers;

namespace EventDriven.Tests;

/// <summary>
/// Puts a bearer token on every request, asking <paramref name="token"/> for it each time (LocalIdentityServer caches
/// tokens until a minute before they expire), so a client kept for a whole test run never sends an expired one.
/// </summary>
public sealed class BearerTokenHandler(Func<Task<string>> token) : DelegatingHandler(new HttpClientHandler())
{
    /// <summary>A client at <paramref name="baseAddress"/> whose every request carries the token <paramref name="token"/> gives.</summary>
    public static HttpClient Client(Uri baseAddress, Func<Task<string>> token) =>
        new(new BearerTokenHandler(token)) { BaseAddress = baseAddress };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await token());
        return await base.SendAsync(request, cancellationToken);
    }
}
