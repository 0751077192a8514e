using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace EventDriven.Tests;

/// <summary>
/// The whole AppHost in local mode for a test collection: PostgreSQL from the machine's binaries on a fresh data
/// folder, the local Kafka broker, the local KurrentDB server, and the four services, with kernel-picked
/// infrastructure ports so a developer's running AppHost (on 5432/9092) is left alone. Shared by the AppHost and web
/// tests (linked into both).
/// </summary>
public static class LocalAppHost
{
    /// <summary>
    /// Starts the AppHost with its data in <paramref name="dataDirectory"/> and waits until <paramref name="resources"/>
    /// are healthy. Aspire.Hosting.Testing leaves the dashboard out; with <paramref name="dashboard"/> it runs, listening
    /// there (reached through the randomized proxy port of the resource's "http" endpoint), unsecured (no browser token,
    /// no OTLP key) so that a test's browser can open it, and with its OTLP and resource-service ports free ones.
    /// <paramref name="configure"/> changes the resource model before it is built (the end-to-end tests point every
    /// process's telemetry at their own receiver). <paramref name="arguments"/> are more AppHost arguments (e.g.
    /// <c>--Services:Replicas=2</c>).
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(
        string dataDirectory, IEnumerable<string> resources, Uri? dashboard = null, Action<IDistributedApplicationTestingBuilder>? configure = null,
        IEnumerable<string>? arguments = null)
    {
        // Not a 0700 temp folder: as root, the postgres user must be able to enter it.
        Directory.CreateDirectory(dataDirectory);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--LocalInfrastructure:DataDirectory={dataDirectory}",
                "--LocalInfrastructure:PostgresPort=0",
                "--LocalInfrastructure:KafkaPort=0",
                "--LocalInfrastructure:KurrentDBPort=0",
                .. dashboard is null ? [] : DashboardArguments(dashboard),
                .. arguments ?? [],
            ],
            (options, _) => options.DisableDashboard = dashboard is null);
        configure?.Invoke(builder);
        var app = await builder.BuildAsync();
        // Five minutes: the services start only once Identity is healthy (they validate its tokens), so its start is on
        // the chain of waits too; a loaded machine took over three.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(resources.Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r, timeout.Token)));
        if (dashboard is not null)
        {
            await app.ResourceNotifications.WaitForResourceAsync(DashboardResource, KnownResourceStates.Running, timeout.Token);
        }

        return app;
    }

    /// <summary>
    /// The ids of the <paramref name="count"/> instances of <paramref name="resource"/> (one per replica with
    /// <c>Services:Replicas</c>) once each is healthy: Aspire's wait by name is satisfied by the first replica.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WaitForEveryInstanceHealthyAsync(DistributedApplication app, string resource, int count, CancellationToken cancellationToken)
    {
        var healthy = new HashSet<string>();
        await foreach (var e in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (e.Resource.Name != resource)
            {
                continue;
            }

            if (e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                healthy.Add(e.ResourceId);
            }
            else
            {
                healthy.Remove(e.ResourceId);
            }

            if (healthy.Count >= count)
            {
                return [.. healthy.Order()];
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Aspire's name for the dashboard's resource.</summary>
    public const string DashboardResource = "aspire-dashboard";

    /// <summary>An http address on a port nobody listens on now, for the dashboard.</summary>
    public static Uri FreeLocalAddress() => new($"http://localhost:{FreePort()}");

    // The launch profile's fixed OTLP and resource-service ports would clash with a developer's running AppHost.
    private static string[] DashboardArguments(Uri dashboard) =>
    [
        $"--ASPNETCORE_URLS={dashboard.GetLeftPart(UriPartial.Authority)}",
        $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort()}",
        $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort()}",
        $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort()}",
        "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        "--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
    ];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
