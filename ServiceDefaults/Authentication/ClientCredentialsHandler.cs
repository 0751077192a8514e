using System.Net;
using System.Net.Http.Headers;

namespace EventDriven.ServiceDefaults.Authentication;

/// <summary>
/// Puts the service's own bearer token (<see cref="ClientCredentialsTokens"/>) on every outgoing request of the
/// HttpClient it is added to (<c>AddClientCredentialsToken</c>). When the callee answers 401 the token is forgotten, so
/// the next call gets a new one; the refused call is not repeated here (its body may not be sendable twice), the
/// resilience pipeline or the caller decides.
/// </summary>
public sealed class ClientCredentialsHandler(ClientCredentialsTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokens.Forget(token);
        }

        return response;
    }
}
