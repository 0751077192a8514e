using System.Net.Http.Json;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Accounts;
using EventDriven.Accounts.Features;
using EventDriven.Contracts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.Reactor.Styles;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Starts a private PostgreSQL cluster, the local Kafka broker and the identity server (its own process, as the tests
// start it), the real Account service and Reactor in this process (each on its own Kestrel port, trusting that
// identity server; Reactor calls Account with its own client-credentials token), then:
// 1. the three event styles on the same account changes: --accounts accounts opened, each changed --changes times
//    through Account's API; Reactor's figures per style (changes, calls to Account, bytes moved);
// 2. the rebuild rate: --events ledger events produced to transactions.events, each read model rebuilt from Kafka.
var accountCount = Option("--accounts", 200);
var changesPerAccount = Option("--changes", 4);
var eventCount = Option("--events", 100_000);

await using var postgres = new LocalPostgresServer();
await using var kafka = new LocalKafkaBroker();
await Task.WhenAll(postgres.InitializeAsync().AsTask(), kafka.InitializeAsync().AsTask());
foreach (var topic in Topics.All)
{
    // librdkafka's mock keeps about 5 MB per partition and drops older messages: 16 partitions hold the 100,000 events.
    await kafka.CreateTopicAsync(topic, partitions: 16);
}

await using var identity = await LocalIdentityServer.StartAsync(postgres);
var accountUrl = $"http://127.0.0.1:{FreePort.Pick()}";
await using var account = await StartAsync(accountUrl, new()
{
    ["Identity:Authority"] = identity.Authority.ToString(),
    ["ConnectionStrings:accountdb"] = await postgres.CreateDatabaseAsync("accountdb"),
    ["ConnectionStrings:kafka"] = kafka.BootstrapServers,
}, builder => builder.AddAccountServices(), app => app.MapAccountsApi());
var reactorUrl = $"http://127.0.0.1:{FreePort.Pick()}";
await using var reactor = await StartAsync(reactorUrl, new()
{
    ["Identity:Authority"] = identity.Authority.ToString(),
    ["Identity:ClientSecret"] = identity.Secrets["reactor"],
    ["ConnectionStrings:reactordb"] = await postgres.CreateDatabaseAsync("reactordb"),
    ["ConnectionStrings:kafka"] = kafka.BootstrapServers,
    ["services:account:http:0"] = accountUrl,
}, builder => builder.AddReactorServices(), app => app.MapReactorApi());
// The demo customer opens and changes the accounts; the style figures are the operator's.
using var accounts = identity.Client(new Uri(accountUrl), TestUser.Customer);
using var reactorClient = identity.Client(new Uri(reactorUrl), TestUser.Operator);

Console.WriteLine($"Reactor, {Environment.ProcessorCount} cores; PostgreSQL, the broker, Account and Reactor on the same machine");
Console.WriteLine();
Console.WriteLine($"Event styles: {accountCount} accounts opened and changed {changesPerAccount} times each through Account's API");
Console.WriteLine();
await DriveAccountChangesAsync();
var expected = accountCount * (1 + changesPerAccount);
var figures = await Poll.UntilAsync(async () =>
{
    var styles = await reactorClient.GetFromJsonAsync<IReadOnlyList<StyleFigures>>("/styles", ContractJson.Options);
    return styles!.All(s => s.Changes >= expected) ? styles : null;
}, TimeSpan.FromMinutes(5), "Reactor to consume every change in every style");
Console.WriteLine("| style | changes | calls to Account | bytes | calls per change | bytes per change |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var style in figures)
{
    Console.WriteLine($"| {style.Style.ToString().ToLowerInvariant()} | {style.Changes:N0} | {style.Calls:N0} | {style.Bytes:N0} | {style.CallsPerChange:N2} | {style.BytesPerChange:N0} |");
}

Console.WriteLine();
Console.WriteLine($"Rebuilds: {eventCount:N0} ledger events on transactions.events ({eventCount / 100:N0} accounts × 100), each read model rebuilt from Kafka");
Console.WriteLine();
await ProduceLedgerEventsAsync(eventCount);
var rebuilder = reactor.Services.GetRequiredService<ReadModelRebuilder>();
Console.WriteLine("| read model | events read | seconds | events/s |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var model in ReadModelSchema.All)
{
    var status = await rebuilder.RebuildAsync(model, CancellationToken.None);
    Console.WriteLine($"| {ReadModelSchema.Name(model)} | {status.Events:N0} | {status.Seconds:N2} | {status.EventsPerSecond:N0} |");
}

// Stop the services before their containers are disposed (disposing alone does not stop background services).
await reactor.StopAsync();
await account.StopAsync();

async Task DriveAccountChangesAsync()
{
    // Eight senders at a time: enough to keep Account busy, well inside PostgreSQL's connection limit.
    var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8 };
    var ids = new Guid[accountCount];
    await Parallel.ForAsync(0, accountCount, parallel, async (i, ct) =>
    {
        ids[i] = await accounts.OpenAccountAsync("EUR", ct, $"Owner {i}");
    });
    for (var change = 0; change < changesPerAccount; change++)
    {
        var street = $"{change + 2} Main Street";
        await Parallel.ForEachAsync(ids, parallel, async (id, _) =>
        {
            using var changed = await accounts.SendCommandAsync(HttpMethod.Put, $"/accounts/{id}/address", new { street, city = "London", postalCode = "SW1Y 4JH", country = "GB" }, CancellationToken.None);
        });
    }
}

async Task ProduceLedgerEventsAsync(int count)
{
    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
    var now = DateTimeOffset.UtcNow;
    for (var a = 0; a < count / 100; a++)
    {
        var id = Guid.NewGuid();
        var balance = 0m;
        for (var version = 1; version <= 100; version++)
        {
            LedgerEvent @event = version == 1
                ? new LedgerOpened(Guid.NewGuid(), id, 1, now, "EUR")
                : new MoneyDeposited(Guid.NewGuid(), id, version, now, Guid.NewGuid(), 10m, "EUR", balance += 10m);
            producer.Produce(Topics.TransactionEvents, new Message<string, byte[]>
            {
                Key = id.ToString(),
                Value = JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), ContractJson.Options),
                Headers = CloudEventHeaders.Create(@event.EventId, LedgerEventTypes.TypeOf(@event), LedgerEventTypes.Source, now, id.ToString()),
            });
        }
    }

    producer.Flush(TimeSpan.FromMinutes(1));
}

static async Task<WebApplication> StartAsync(string url, Dictionary<string, string?> settings, Action<WebApplicationBuilder> services, Action<WebApplication> endpoints)
{
    var builder = WebApplication.CreateBuilder();
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddServiceDefaults();
    // The services' API conventions (problem details, camelCase enums), as their Program.cs registers them.
    builder.AddServiceApi(builder.Environment.ApplicationName, "Hosted by the Reactor benchmark.");
    services(builder);
    var app = builder.Build();
    endpoints(app);
    app.Urls.Add(url);
    await app.StartAsync();
    return app;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
