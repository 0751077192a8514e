extern alias AccountService;

using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

[CollectionDefinition(Name)]
public sealed class ReactorCollection : ICollectionFixture<ReactorFixture>
{
    public const string Name = "reactor service";
}

/// <summary>
/// Reactor and the real Account service on real HTTP, against a private PostgreSQL cluster and the local Kafka broker,
/// trusting a real identity server (its own process), started once for the collection. <see cref="Client"/> and
/// <see cref="Account"/> are an operator's (who sees every account); <see cref="As"/> gives anyone else's. Ledger events are produced to <c>transactions.events</c> the way Transactions'
/// publisher produces them (same contract types, key and headers); accounts are opened through Account's API.
/// </summary>
public sealed class ReactorFixture : IAsyncLifetime
{
    public LocalPostgresServer Postgres { get; } = new();

    public LocalKafkaBroker Kafka { get; } = new();

    public LocalIdentityServer Identity { get; private set; } = null!;

    public HttpClient Account { get; private set; } = null!;

    public HttpClient Client => Reactor.Client;

    public ReactorHost Reactor { get; private set; } = null!;

    public Uri AccountAddress => _account!.Address;

    public string ReactorDatabase { get; private set; } = "";

    /// <summary>Account's database (its connection string).</summary>
    public string AccountDatabase { get; private set; } = "";

    private ServiceHost<AccountService::Program>? _account;
    private IProducer<string, byte[]>? _producer;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Task.WhenAll(Postgres.InitializeAsync().AsTask(), Kafka.InitializeAsync().AsTask());
            await Kafka.CreateTopicsAsync(Topics.All);
            Identity = await LocalIdentityServer.StartAsync(Postgres);

            AccountDatabase = await Postgres.CreateDatabaseAsync("accountdb");
            _account = new ServiceHost<AccountService::Program>(new Dictionary<string, string>(Identity.ServiceSettings())
            {
                ["ConnectionStrings:accountdb"] = AccountDatabase,
                ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            });
            Account = As(_account.Address, TestUser.Operator);
            _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, EnableIdempotence = true }).Build();
            ReactorDatabase = await Postgres.CreateDatabaseAsync("reactordb");
            Reactor = StartReactor(ReactorDatabase);
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop what did start, or its processes outlive the run.
            await DisposeAsync();
            throw;
        }
    }

    public ReactorHost StartReactor(string database, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new ServiceHost<Program>(ReactorSettings(database).Concat(settings ?? new Dictionary<string, string>())
            .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        return new ReactorHost(host, As(host.Address, TestUser.Operator));
    }

    /// <summary>A Reactor's settings as the AppHost gives them: its database, the broker, Account's address, the identity server and Reactor's client secret.</summary>
    public IReadOnlyDictionary<string, string> ReactorSettings(string database) =>
        new Dictionary<string, string>(Identity.ServiceSettings(ReactorServices.ClientId))
        {
            ["ConnectionStrings:reactordb"] = database,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            ["services:account:http:0"] = _account!.Address.ToString(),
        };

    /// <summary>A client of the service at <paramref name="address"/> that sends <paramref name="user"/>'s token (for <paramref name="scope"/>).</summary>
    public HttpClient As(Uri address, TestUser user, string scope = LocalIdentityServer.AllAudiences) =>
        BearerTokenHandler.Client(address, () => Identity.TokenAsync(user, scope));

    /// <summary>A client of the fixture's Reactor with <paramref name="user"/>'s token.</summary>
    public HttpClient ReactorAs(TestUser user, string scope = LocalIdentityServer.AllAudiences) => As(Reactor.Address, user, scope);

    /// <summary>A client of the fixture's Reactor with a service's own token (client credentials).</summary>
    public HttpClient ReactorAsService(string clientId, string scope) =>
        BearerTokenHandler.Client(Reactor.Address, () => Identity.ServiceTokenAsync(clientId, scope));

    /// <summary>
    /// A Reactor of its own (database, consumer group) that reads only what is published after this call, as if the
    /// topics had lost their history; its figures are then its own.
    /// </summary>
    public async Task<ReactorHost> StartReactorFromNowAsync()
    {
        var group = $"from-now-{Guid.NewGuid():N}";
        Kafka.CommitEndOffsets(group, [Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState, Topics.TransactionEvents]);
        return StartReactor(await Postgres.CreateDatabaseAsync($"reactor_{Guid.NewGuid():N}"),
            new Dictionary<string, string> { ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = group });
    }

    public async ValueTask DisposeAsync()
    {
        if (Reactor is not null)
        {
            await Reactor.DisposeAsync();
        }

        _producer?.Dispose();
        Account?.Dispose();
        if (_account is not null)
        {
            await _account.DisposeAsync();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>Produces a ledger event as Transactions' publisher does.</summary>
    public Task PublishAsync(LedgerEvent @event) =>
        PublishRawAsync(Topics.TransactionEvents, @event.AccountId, LedgerEventTypes.TypeOf(@event), JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), ContractJson.Options), @event.EventId);

    public async Task PublishRawAsync(string topic, Guid accountId, string type, byte[] value, Guid? eventId = null)
    {
        await _producer!.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = accountId.ToString(),
            Value = value,
            Headers = CloudEventHeaders.Create(eventId ?? Guid.NewGuid(), type, LedgerEventTypes.Source, DateTimeOffset.UtcNow, accountId.ToString()),
        }, TestContext.Current.CancellationToken);
    }

    /// <summary>Opens an account through Account's API; its events reach Reactor through the outbox, CDC and Kafka.</summary>
    public Task<Guid> OpenAccountAsync() => Account.OpenAccountAsync("EUR", TestContext.Current.CancellationToken, "Ada Lovelace");

    /// <summary>Sends a command to Account's API and insists it succeeded.</summary>
    public async Task ChangeAccountAsync(HttpMethod method, string path, object body)
    {
        using var response = await Account.SendCommandAsync(method, path, body, TestContext.Current.CancellationToken);
    }
}
