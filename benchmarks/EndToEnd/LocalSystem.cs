using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using EventDriven.Tests;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>
/// The whole AppHost in local mode, as <c>./run.sh</c> starts it, on a fresh data folder and kernel-picked
/// infrastructure ports, with every service exporting its spans to <see cref="SpanCollector"/>.
/// </summary>
public sealed class LocalSystem : IAsyncDisposable
{
    public static readonly string[] Services = ["account", "transactions", "reactor", "web"];
    private static readonly string[] Resources = ["postgres", "accountdb", "transactionsdb", "reactordb", "identitydb", "kafka", "kurrentdb", "identity", .. Services];

    private readonly string _dataDirectory;
    private readonly List<HttpClient> _clients = [];
    private IdentityTokens? _tokens;
    private ReactorChanges? _changes;

    private LocalSystem(DistributedApplication app, string dataDirectory)
    {
        App = app;
        _dataDirectory = dataDirectory;
    }

    public DistributedApplication App { get; }

    public string DataDirectory => _dataDirectory;

    public static async Task<LocalSystem> StartAsync(SpanCollector spans, IReadOnlyDictionary<string, string> accountSettings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-e2e-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--LocalInfrastructure:DataDirectory={dataDirectory}",
                "--LocalInfrastructure:PostgresPort=0",
                "--LocalInfrastructure:KafkaPort=0",
                "--LocalInfrastructure:KurrentDBPort=0",
            ]);
        foreach (var resource in builder.Resources.OfType<ProjectResource>())
        {
            resource.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
            {
                environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = spans.Endpoint;
                environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                environment["OTEL_TRACES_SAMPLER"] = "always_on";
                if (resource.Name == "account")
                {
                    foreach (var (key, value) in accountSettings)
                    {
                        environment[key] = value;
                    }
                }
            }));
        }

        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(Resources.Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r, timeout.Token)));
        return new LocalSystem(app, dataDirectory);
    }

    /// <summary>
    /// The benchmark's users, signed in at the AppHost's identity server as a script does (password grant): HTTP clients
    /// of the services as the demo customer (and the operator, who freezes and follows every change on Reactor's push
    /// channel, as the web app's own subscription does), and the accounts they work on, opened.
    /// </summary>
    public async Task<Workload> StartUsersAsync(int moneyAccounts, int freezeAccounts)
    {
        _tokens ??= new IdentityTokens(App.GetEndpoint("identity", "http"));
        HttpClient Client(string service, TestUser user)
        {
            var client = _tokens.Client(App.GetEndpoint(service, "http"), user);
            _clients.Add(client);
            return client;
        }

        var reactor = Client("reactor", TestUser.Operator);
        reactor.Timeout = Timeout.InfiniteTimeSpan;
        _changes = await ReactorChanges.SubscribeAsync(reactor);
        var workload = new Workload(
            Client("account", TestUser.Customer), Client("transactions", TestUser.Customer), Client("account", TestUser.Operator), _changes);
        await workload.PrepareAsync(moneyAccounts, freezeAccounts);
        return workload;
    }

    public async ValueTask DisposeAsync()
    {
        if (_changes is not null)
        {
            await _changes.DisposeAsync();
        }

        _clients.ForEach(client => client.Dispose());
        _tokens?.Dispose();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL may still be removing its files; the folder is in /tmp.
        }
    }
}
