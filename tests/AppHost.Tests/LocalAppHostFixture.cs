using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// The whole AppHost in local mode, started once for the tests that share it: PostgreSQL from the machine's binaries
/// on a fresh data folder, the local Kafka broker, the local KurrentDB server, and the four services.
/// </summary>
public sealed class LocalAppHostFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["postgres", "accountdb", "transactionsdb", "reactordb", "kafka", "kurrentdb", "account", "transactions", "reactor", "web"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eventdriven-tests-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>From start to every resource healthy.</summary>
    public TimeSpan StartupTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        // Not a 0700 temp folder: as root, the postgres user must be able to enter it.
        Directory.CreateDirectory(_dataDirectory);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--LocalInfrastructure:DataDirectory={_dataDirectory}",
                // Kernel-picked ports, so a developer's running AppHost (on 5432/9092) is left alone.
                "--LocalInfrastructure:PostgresPort=0",
                "--LocalInfrastructure:KafkaPort=0",
                "--LocalInfrastructure:KurrentDBPort=0",
            ]);
        App = await builder.BuildAsync();

        var stopwatch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await App.StartAsync(timeout.Token);
        await Task.WhenAll(Resources.Select(r => App.ResourceNotifications.WaitForResourceHealthyAsync(r, timeout.Token)));
        StartupTime = stopwatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
