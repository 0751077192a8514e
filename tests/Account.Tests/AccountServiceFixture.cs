using System.Text;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

[CollectionDefinition(Name)]
public sealed class AccountServiceCollection : ICollectionFixture<AccountServiceFixture>
{
    public const string Name = "account service";
}

/// <summary>
/// The Account service on real HTTP (Kestrel), against a private PostgreSQL cluster, the local Kafka broker and the
/// identity server, each its own process, started once for the whole collection. Tests use fresh accounts and
/// databases, so they share it. <see cref="Client"/> acts as the demo customer; <see cref="Operator"/> as the operator;
/// <see cref="ClientAs"/> and <see cref="ServiceClient"/> as anyone else.
/// </summary>
public sealed class AccountServiceFixture : IAsyncLifetime
{
    public LocalPostgresServer Postgres { get; } = new();

    public LocalKafkaBroker Kafka { get; } = new();

    public LocalIdentityServer Identity { get; private set; } = null!;

    public string DatabaseConnectionString { get; private set; } = "";

    /// <summary>The demo customer's client: what a signed-in customer may do.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The operator's client: freeze, unfreeze, the export and the operations endpoints.</summary>
    public HttpClient Operator { get; private set; } = null!;

    /// <summary>A client without a token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    public Uri Address => _service!.Address;

    private ServiceHost<Program>? _service;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop what did start, or its processes outlive the run.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        await Task.WhenAll(Postgres.InitializeAsync().AsTask(), Kafka.InitializeAsync().AsTask());
        var identity = LocalIdentityServer.StartAsync(Postgres);
        await Kafka.CreateTopicsAsync(Topics.All);
        Identity = await identity;

        DatabaseConnectionString = await Postgres.CreateDatabaseAsync("accountdb");
        _service = new ServiceHost<Program>(Settings(new Dictionary<string, string>
        {
            ["ConnectionStrings:accountdb"] = DatabaseConnectionString,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            ["Account:Relay:Mode"] = "Cdc",
        }));
        Client = ClientAs(TestUser.Customer);
        Operator = ClientAs(TestUser.Operator);
        Anonymous = new HttpClient { BaseAddress = _service.Address };
    }

    /// <summary><paramref name="settings"/> and what the service needs to trust the identity server, for tests that start an Account of their own.</summary>
    public IReadOnlyDictionary<string, string> Settings(IReadOnlyDictionary<string, string> settings) =>
        new Dictionary<string, string>(settings.Concat(Identity.ServiceSettings()));

    /// <summary>A client of the fixture's service (or of <paramref name="address"/>) acting as <paramref name="user"/>, with a token for <paramref name="scope"/>.</summary>
    public HttpClient ClientAs(TestUser user, string scope = LocalIdentityServer.AllAudiences, Uri? address = null) =>
        BearerTokenHandler.Client(address ?? _service!.Address, () => Identity.TokenAsync(user, scope));

    /// <summary>A client acting as another service (client credentials of <paramref name="clientId"/> with <paramref name="scope"/>).</summary>
    public HttpClient ServiceClient(string clientId, string scope) =>
        BearerTokenHandler.Client(_service!.Address, () => Identity.ServiceTokenAsync(clientId, scope));

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Operator?.Dispose();
        Anonymous?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    public static string Header(Message<string, string> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : "";
}
