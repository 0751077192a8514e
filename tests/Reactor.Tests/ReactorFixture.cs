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
/// started once for the collection. Ledger events are produced to <c>transactions.events</c> the way Transactions'
/// publisher produces them (same contract types, key and headers); accounts are opened through Account's API.
/// </summary>
public sealed class ReactorFixture : IAsyncLifetime
{
    public LocalPostgresServer Postgres { get; } = new();

    public LocalKafkaBroker Kafka { get; } = new();

    public HttpClient Account { get; private set; } = null!;

    public HttpClient Client => Reactor.Client;

    public ServiceHost<Program> Reactor { get; private set; } = null!;

    public string ReactorDatabase { get; private set; } = "";

    private ServiceHost<AccountService::Program>? _account;
    private IProducer<string, byte[]>? _producer;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Task.WhenAll(Postgres.InitializeAsync().AsTask(), Kafka.InitializeAsync().AsTask());
            await Kafka.CreateTopicsAsync(Topics.All);

            var accountDb = await Postgres.CreateDatabaseAsync("accountdb");
            _account = new ServiceHost<AccountService::Program>(new Dictionary<string, string>
            {
                ["ConnectionStrings:accountdb"] = accountDb,
                ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            });
            Account = _account.Client;
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

    public ServiceHost<Program> StartReactor(string database, IReadOnlyDictionary<string, string>? settings = null) =>
        new(new Dictionary<string, string>
        {
            ["ConnectionStrings:reactordb"] = database,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            ["services:account:http:0"] = _account!.Address.ToString(),
        }.Concat(settings ?? new Dictionary<string, string>()).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    /// <summary>
    /// A Reactor of its own (database, consumer group) that reads only what is published after this call, as if the
    /// topics had lost their history; its figures are then its own.
    /// </summary>
    public async Task<ServiceHost<Program>> StartReactorFromNowAsync()
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
        if (_account is not null)
        {
            await _account.DisposeAsync();
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
