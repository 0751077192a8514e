using System.Net.Http.Headers;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// Puts a fresh bearer token on each request that has none: the identity server's tokens live 15 minutes and the
/// collection's clients longer, so a token is asked for (from <see cref="LocalIdentityServer"/>'s cache) per request.
/// </summary>
public sealed class BearerHandler(Func<Task<string>> token) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await token());
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A Reactor under test and an operator's client for it (the existing tests read every account).</summary>
public sealed class ReactorHost(ServiceHost<Program> host, HttpClient client) : IAsyncDisposable
{
    public HttpClient Client { get; } = client;

    public Uri Address => host.Address;

    public IServiceProvider Services => host.Services;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await host.DisposeAsync();
    }
}
