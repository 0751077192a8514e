using System.Net.Http.Headers;

namespace EventDriven.Tests;

/// <summary>
/// Puts a bearer token on each request that carries none, asked of <paramref name="token"/> per request (the identity
/// server's tokens are cached and renewed before they expire, so a long test run never sends an expired one). A test
/// that sets its own <c>Authorization</c> on a request (another audience, a service's token) keeps it.
/// </summary>
public sealed class BearerTokenHandler(Func<Task<string>> token) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await token());
        return await base.SendAsync(request, cancellationToken);
    }
}
