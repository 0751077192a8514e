using System.Security.Cryptography;
using EventDriven.Tests;

namespace EventDriven.Identity.Tests;

[CollectionDefinition(Name)]
public sealed class IdentityServerCollection : ICollectionFixture<IdentityServerFixture>
{
    public const string Name = "identity server";
}

/// <summary>
/// The Identity service on real HTTP (Kestrel), in development (so the demo users and the password grant exist),
/// against a private PostgreSQL cluster, started once for the collection. Client secrets are generated per run, as the
/// AppHost does. Limits are high here; the rate-limit test starts its own host with low ones.
/// </summary>
public sealed class IdentityServerFixture : IAsyncLifetime
{
    public const string CustomerId = "0b5e4a8c-1c2d-4e6f-8a9b-c0d1e2f3a4b5";
    public const string CustomerEmail = "customer@eventdriven.local";
    public const string CustomerPassword = "customer-demo-password";
    public const string OperatorId = "7f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a0f9";
    public const string OperatorEmail = "operator@eventdriven.local";
    public const string OperatorPassword = "operator-demo-password";
    public static readonly Uri WebRedirect = new("http://localhost:5100/signin-oidc");

    public LocalPostgresServer Postgres { get; } = new();

    public string DatabaseConnectionString { get; private set; } = "";

    public string ReactorSecret { get; } = Secret();

    public string TransactionsSecret { get; } = Secret();

    public string WebSecret { get; } = Secret();

    public string DashboardSecret { get; } = Secret();

    public ServiceHost<Program> Server { get; private set; } = null!;

    public HttpClient Client => Server.Client;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Postgres.InitializeAsync();
            DatabaseConnectionString = await Postgres.CreateDatabaseAsync("identitydb");
            Server = Start();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Another Identity host on the same database, with <paramref name="overrides"/> over the usual settings.</summary>
    public ServiceHost<Program> Start(IReadOnlyDictionary<string, string>? overrides = null, Uri? address = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:identitydb"] = DatabaseConnectionString,
            ["Identity:Clients:reactor:Secret"] = ReactorSecret,
            ["Identity:Clients:transactions:Secret"] = TransactionsSecret,
            ["Identity:Clients:web:Secret"] = WebSecret,
            ["Identity:Clients:dashboard:Secret"] = DashboardSecret,
            ["Identity:Clients:web:RedirectUri"] = WebRedirect.ToString(),
            ["Identity:RateLimit:SignInPerMinute"] = "1000",
            ["Identity:RateLimit:TokenPerMinute"] = "1000",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return new ServiceHost<Program>(settings, address);
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
