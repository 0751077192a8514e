using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>A Reactor under test and an operator's client for it (the tests read every account and run its operations).</summary>
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
