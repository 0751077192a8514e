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
/// The Account service on real HTTP (Kestrel), against a private PostgreSQL cluster and the local Kafka broker, each
/// its own process, started once for the whole collection. Tests use fresh accounts and databases, so they share it.
/// </summary>
public sealed class AccountServiceFixture : IAsyncLifetime
{
    public LocalPostgresServer Postgres { get; } = new();

    public LocalKafkaBroker Kafka { get; } = new();

    public string DatabaseConnectionString { get; private set; } = "";

    public HttpClient Client { get; private set; } = null!;

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
        await Kafka.CreateTopicsAsync(Topics.All);

        DatabaseConnectionString = await Postgres.CreateDatabaseAsync("accountdb");
        _service = new ServiceHost<Program>(new Dictionary<string, string>
        {
            ["ConnectionStrings:accountdb"] = DatabaseConnectionString,
            ["ConnectionStrings:kafka"] = Kafka.BootstrapServers,
            ["Account:Relay:Mode"] = "Cdc",
        });
        Client = _service.Client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    public static string Header(Message<string, string> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : "";
}
