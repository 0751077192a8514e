using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EventDriven.Tests;

/// <summary>
/// One of the project's services in the test process, on real HTTP (Kestrel on a free port), configured by
/// <paramref name="settings"/> as the AppHost would configure it (connection strings, service addresses, options).
/// An <paramref name="address"/> given starts it where an earlier host was (a restart keeps the issuer's address).
/// </summary>
public sealed class ServiceHost<TEntryPoint> : IAsyncDisposable
    where TEntryPoint : class
{
    private readonly WebApplicationFactory<TEntryPoint> _factory;

    public ServiceHost(IReadOnlyDictionary<string, string> settings, Uri? address = null)
    {
        Address = address ?? new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        _factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(host =>
        {
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.UseUrls(Address.ToString());
        });
        _factory.UseKestrel();
        _factory.StartServer();
        Client = _factory.CreateClient();
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}
