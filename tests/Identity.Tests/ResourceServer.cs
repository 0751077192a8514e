using System.Security.Cryptography;
using System.Text;
using EventDriven.ServiceDefaults.Authentication;
using EventDriven.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace EventDriven.Identity.Tests;

/// <summary>
/// A small service as the real ones will be once they switch authorisation on: <c>AddServiceAuthentication</c> for
/// one audience, with an endpoint per policy. Each endpoint answers the caller's <c>sub</c>; the service one answers a
/// digest of the bearer token, so a test can see whether two calls carried the same token.
/// </summary>
public sealed class ResourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ResourceServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<ResourceServer> StartAsync(Uri authority, string audience)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Pick()}");
        // No settings files (an empty content root): the test's output folder holds whichever appsettings.json was
        // copied there last — the local KurrentDB server's binds Kestrel to its own ports — and this server is
        // configured here alone.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = Directory.CreateTempSubdirectory("resource-server-").FullName,
        });
        builder.WebHost.UseUrls(address.ToString());
        builder.Configuration[IdentityAuthority.ConfigurationKey] = authority.ToString();
        builder.AddServiceAuthentication(audience);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/signed-in", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
        app.MapGet("/customers", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization(ServicePolicies.Customer);
        app.MapGet("/operations", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization(ServicePolicies.Operator);
        app.MapGet("/service", (HttpContext context) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()))))
            .RequireAuthorization(ServicePolicies.Service("account.read"));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new ResourceServer(app, address);
    }

    /// <summary>GET <paramref name="path"/> with <paramref name="token"/> as the bearer token (none when null).</summary>
    public async Task<(int Status, string Body)> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
