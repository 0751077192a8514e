extern alias AccountService;

using System.Collections.Concurrent;
using EventDriven.Contracts;
using EventDriven.Tests;

namespace EventDriven.Transactions.Tests;

[CollectionDefinition(Name)]
public sealed class TransactionsCollection : ICollectionFixture<TransactionsFixture>
{
    public const string Name = "transactions service";
}

/// <summary>
/// The Transactions service and the real Account service, both on real HTTP, against a private PostgreSQL cluster, the
/// local Kafka broker and the local KurrentDB server, each its own process, started once for the collection. Accounts
/// are opened through Account's API and reach Transactions the way they do in production: outbox, CDC relay, Kafka.
/// Both trust a real identity server (its own process); clients sign in as the demo customer unless a test says who
/// (<see cref="ClientFor"/>), and the customer owns the accounts the fixture opens unless a test says otherwise.
/// </summary>
public sealed class TransactionsFixture : IAsyncLifetime
{
    public LocalPostgresServer Postgres { get; } = new();

    public LocalKafkaBroker Kafka { get; } = new();

    public LocalKurrentDBServer KurrentDB { get; } = new();

    public LocalIdentityServer Identity { get; private set; } = null!;

    public string TransactionsDatabase { get; private set; } = "";

    /// <summary>Account, as the demo customer.</summary>
    public HttpClient Account => AccountAs(TestUser.Customer);

    public Uri AccountAddress { get; private set; } = null!;

    public ServiceHost<Program> Transactions { get; private set; } = null!;

    /// <summary>Transactions, as the demo customer (who owns the accounts <see cref="OpenAccountAsync"/> opens).</summary>
    public HttpClient Client => ClientFor(Transactions);

    /// <summary>Transactions, as the demo operator.</summary>
    public HttpClient Operator => ClientFor(Transactions, TestUser.Operator);

    private readonly ConcurrentDictionary<(Uri Address, string User), HttpClient> _clients = new();

    private ServiceHost<AccountService::Program>? _account;

    /// <summary>A client of <paramref name="host"/> (a Transactions instance) signed in as <paramref name="user"/> (the customer by default).</summary>
    public HttpClient ClientFor(ServiceHost<Program> host, TestUser? user = null) => ClientAt(host.Address, user ?? TestUser.Customer);

    /// <summary>Account, signed in as <paramref name="user"/>.</summary>
    public HttpClient AccountAs(TestUser user) => ClientAt(AccountAddress, user);

    private HttpClient ClientAt(Uri address, TestUser user) =>
        _clients.GetOrAdd((address, user.Id), key => new HttpClient(new BearerTokenHandler(() => Identity.TokenAsync(user))) { BaseAddress = key.Address });

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
        await Task.WhenAll(Postgres.InitializeAsync().AsTask(), Kafka.InitializeAsync().AsTask(), KurrentDB.InitializeAsync().AsTask());
        await Kafka.CreateTopicsAsync(Topics.All);
        Identity = await LocalIdentityServer.StartAsync(Postgres);

        var accountDb = await Postgres.CreateDatabaseAsync("accountdb");
        _account = new ServiceHost<AccountService::Program>(new Dictionary<string, string>
        {
            ["ConnectionStrings:accountdb"] = accountDb,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
        }.Concat(Identity.ServiceSettings()).ToDictionary());
        AccountAddress = _account.Address;

        TransactionsDatabase = await Postgres.CreateDatabaseAsync("transactionsdb");
        Transactions = StartTransactions(TransactionsDatabase);
    }

    /// <summary>
    /// A Transactions instance on <paramref name="database"/>, sharing KurrentDB, Kafka and Account with the others,
    /// with <paramref name="settings"/> on top of the defaults (e.g. another consumer group, the publisher off).
    /// </summary>
    public ServiceHost<Program> StartTransactions(string database, IReadOnlyDictionary<string, string>? settings = null, LocalKurrentDBServer? kurrentDB = null) =>
        new(new Dictionary<string, string>
        {
            ["ConnectionStrings:transactionsdb"] = database,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            ["ConnectionStrings:kurrentdb"] = (kurrentDB ?? KurrentDB).ConnectionString,
            ["services:account:http:0"] = AccountAddress.ToString(),
            // Small, so that a test sees a transfer held up counted as overdue within a second.
            ["Transactions:TransfersUnderWay:OverdueAfter"] = "00:00:01",
        }.Concat(Identity.ServiceSettings("transactions")).Concat(settings ?? new Dictionary<string, string>()).GroupBy(pair => pair.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    /// <summary>
    /// A world of its own with no publisher (its own event store, database and consumer group): what its instances
    /// store never reaches Kafka, and the fixture's publisher does not publish it.
    /// </summary>
    public async Task<UnpublishedWorld> StartUnpublishedWorldAsync()
    {
        var kurrentDB = new LocalKurrentDBServer();
        await kurrentDB.InitializeAsync();
        var database = await Postgres.CreateDatabaseAsync($"transactions_{Guid.NewGuid():N}");
        return new UnpublishedWorld(this, kurrentDB, database, new Dictionary<string, string>
        {
            ["Transactions:Publisher:Enabled"] = "false",
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"isolated-{Guid.NewGuid():N}",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Transactions is not null)
        {
            await Transactions.DisposeAsync();
        }

        if (_account is not null)
        {
            await _account.DisposeAsync();
        }

        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }

        await KurrentDB.DisposeAsync();
        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>
    /// Opens an account through Account's API as <paramref name="owner"/> (the demo customer by default), who owns it,
    /// and waits until Transactions' copy knows it (asking as the operator, who may see every ledger).
    /// </summary>
    public async Task<Guid> OpenAccountAsync(string currency = "EUR", HttpClient? transactions = null, TestUser? owner = null)
    {
        var id = await AccountAs(owner ?? TestUser.Customer).OpenAccountAsync(currency, TestContext.Current.CancellationToken);
        await WaitUntilKnownAsync(id, transactions is null ? Operator : ClientAt(transactions.BaseAddress!, TestUser.Operator));
        return id;
    }

    /// <summary>
    /// Asks Account, as the operator (who may freeze and unfreeze, and close any account), to change an account; its new
    /// state reaches Transactions through Kafka.
    /// </summary>
    public async Task ChangeAccountAsync(Guid accountId, string path, object body)
    {
        using var response = await AccountAs(TestUser.Operator).SendCommandAsync(HttpMethod.Post, $"/accounts/{accountId}/{path}", body, TestContext.Current.CancellationToken);
    }

    public static Task WaitUntilKnownAsync(Guid accountId, HttpClient transactions) =>
        Poll.UntilAsync(async () => (await transactions.GetAsync($"/ledgers/{accountId}", TestContext.Current.CancellationToken)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"Transactions to know account {accountId}");
}

/// <summary>See <see cref="TransactionsFixture.StartUnpublishedWorldAsync"/>; each <see cref="Start"/> is a new instance of it.</summary>
public sealed class UnpublishedWorld(TransactionsFixture fixture, LocalKurrentDBServer kurrentDB, string database, IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    public string Database => database;

    /// <summary>An instance; <paramref name="overrides"/> on top of the world's settings (the publisher on, say).</summary>
    public ServiceHost<Program> Start(IReadOnlyDictionary<string, string>? overrides = null) =>
        fixture.StartTransactions(database, settings.Concat(overrides ?? new Dictionary<string, string>())
            .GroupBy(pair => pair.Key).ToDictionary(g => g.Key, g => g.Last().Value), kurrentDB);

    public ValueTask DisposeAsync() => kurrentDB.DisposeAsync();
}
