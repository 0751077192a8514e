using System.Diagnostics;
using Aspire.Hosting;
using EventDriven.Tests;

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
        var stopwatch = Stopwatch.StartNew();
        App = await LocalAppHost.StartAsync(_dataDirectory, Resources);
        StartupTime = stopwatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
