using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EventDriven.Tests;

namespace EventDriven.AppHost.Tests;

/// <summary>
/// The whole AppHost in local mode, started once for the tests that share it: PostgreSQL from the machine's binaries
/// on a fresh data folder, the local Kafka broker, the local KurrentDB server, Identity and the four services.
/// </summary>
public sealed class LocalAppHostFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["postgres", "accountdb", "transactionsdb", "reactordb", "identitydb", "kafka", "kurrentdb", "identity", "account", "transactions", "reactor", "web"];

    /// <summary>The local infrastructure's data folder (<c>LocalInfrastructure:DataDirectory</c>).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"eventdriven-tests-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The demo users' tokens from the AppHost's identity server.</summary>
    public IdentityTokens Tokens { get; private set; } = null!;

    /// <summary>From start to every resource healthy.</summary>
    public TimeSpan StartupTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        App = await LocalAppHost.StartAsync(DataDirectory, Resources);
        StartupTime = stopwatch.Elapsed;
        Tokens = App.CreateIdentityTokens();
    }

    /// <summary>A client of <paramref name="service"/> that sends <paramref name="user"/>'s token with every request.</summary>
    public HttpClient Client(string service, TestUser user) => Tokens.Client(App.GetEndpoint(service, "http"), user);

    public async ValueTask DisposeAsync()
    {
        Tokens?.Dispose();
        await App.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
