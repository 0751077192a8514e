using System.Net.Http.Headers;
using System.Security.Cryptography;
using Xunit;

namespace EventDriven.Tests;

/// <summary>A person the test identity server knows: the demo users of development mode, and a second customer.</summary>
public sealed record TestUser(string Id, string Email, string Password, string Role)
{
    public static readonly TestUser Customer = new("0b5e4a8c-1c2d-4e6f-8a9b-c0d1e2f3a4b5", "customer@eventdriven.local", "customer-demo-password", "customer");
    public static readonly TestUser Operator = new("7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a0f9", "operator@eventdriven.local", "operator-demo-password", "operator");

    /// <summary>Not a demo user of the product: added by the test server so that one customer can be kept from another's money.</summary>
    public static readonly TestUser OtherCustomer = new("5d2e8f10-3a4b-4c6d-9e7f-a1b2c3d4e5f6", "other-customer@eventdriven.local", "other-customer-password", "customer");
}

/// <summary>
/// The Identity service as its own process (as in the AppHost), in development mode (demo users, password grant),
/// on a free port and a database of <paramref name="postgres"/>. Services under test trust it through
/// <see cref="ServiceSettings"/>; tests get tokens as a script would (<see cref="IdentityTokens"/>: password grant
/// through <c>cli</c>, client credentials with the generated secrets), cached until a minute before they expire.
/// </summary>
public sealed class LocalIdentityServer : IAsyncDisposable
{
    public const string AllAudiences = IdentityTokens.AllAudiences;

    private static readonly string[] ServiceClients = ["transactions", "reactor", "web", "dashboard"];

    private readonly ChildProcess _process;
    private readonly IdentityTokens _tokens;
    private readonly HttpClient _http;

    private LocalIdentityServer(ChildProcess process, Uri authority, IReadOnlyDictionary<string, string> secrets)
    {
        _process = process;
        Authority = authority;
        Secrets = secrets;
        _http = new HttpClient { BaseAddress = authority };
        _tokens = new IdentityTokens(authority);
    }

    /// <summary>The issuer, as services configure it (<c>Identity:Authority</c>).</summary>
    public Uri Authority { get; }

    /// <summary>Each confidential client's generated secret (<c>transactions</c>, <c>reactor</c>, <c>web</c>, <c>dashboard</c>).</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

    /// <summary>
    /// What a service needs to trust this server and, when it calls others as client <paramref name="clientId"/>, its
    /// secret (<c>Identity:ClientSecret</c>), as the AppHost gives them.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServiceSettings(string? clientId = null)
    {
        var settings = new Dictionary<string, string> { ["Identity:Authority"] = Authority.ToString() };
        if (clientId is not null)
        {
            settings["Identity:ClientSecret"] = Secrets[clientId];
        }

        return settings;
    }

    public static async Task<LocalIdentityServer> StartAsync(LocalPostgresServer postgres, string database = "identitydb")
    {
        var connectionString = await postgres.CreateDatabaseAsync(database);
        var authority = new Uri($"http://127.0.0.1:{FreePort.Pick()}/");
        var secrets = ServiceClients.ToDictionary(client => client, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = authority.ToString(),
            ["ConnectionStrings__identitydb"] = connectionString,
            ["Identity__Clients__web__RedirectUri"] = "http://localhost:5100/signin-oidc",
            ["Identity__RateLimit__SignInPerMinute"] = "100000",
            ["Identity__RateLimit__TokenPerMinute"] = "100000",
            // Development's appsettings name the two demo users (entries 0 and 1); the other customer is the third.
            ["Identity__DemoUsers__2__Id"] = TestUser.OtherCustomer.Id,
            ["Identity__DemoUsers__2__Email"] = TestUser.OtherCustomer.Email,
            ["Identity__DemoUsers__2__Password"] = TestUser.OtherCustomer.Password,
            ["Identity__DemoUsers__2__Role"] = TestUser.OtherCustomer.Role,
        };
        foreach (var (client, secret) in secrets)
        {
            environment[$"Identity__Clients__{client}__Secret"] = secret;
        }

        var process = ChildProcess.StartDotnet(TestSupportAssemblies.Identity, [], environment);
        var server = new LocalIdentityServer(process, authority, secrets);
        try
        {
            await Poll.UntilAsync(
                async () => (await server._http.GetAsync(new Uri(".well-known/openid-configuration", UriKind.Relative))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60),
                $"the identity server to answer at {authority}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An access token for <paramref name="user"/> (password grant through <c>cli</c>), for every service unless <paramref name="scope"/> says otherwise.</summary>
    public Task<string> TokenAsync(TestUser user, string scope = AllAudiences) => _tokens.TokenAsync(user, scope);

    /// <summary>A client-credentials token for one of the services' clients.</summary>
    public Task<string> ServiceTokenAsync(string clientId, string scope) => _tokens.ServiceTokenAsync(clientId, Secrets[clientId], scope);

    /// <summary>The <c>Authorization</c> header that carries <paramref name="user"/>'s token.</summary>
    public Task<AuthenticationHeaderValue> BearerAsync(TestUser user, string scope = AllAudiences) => _tokens.BearerAsync(user, scope);

    /// <summary>A client at <paramref name="baseAddress"/> that sends <paramref name="user"/>'s token with every request.</summary>
    public HttpClient Client(Uri baseAddress, TestUser user, string scope = AllAudiences) => _tokens.Client(baseAddress, user, scope);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _tokens.Dispose();
        await _process.DisposeAsync();
    }
}
