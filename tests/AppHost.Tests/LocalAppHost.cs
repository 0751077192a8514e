using Aspire.Hosting;
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
    /// <summary>Starts the AppHost with its data in <paramref name="dataDirectory"/> and waits until <paramref name="resources"/> are healthy.</summary>
    public static async Task<DistributedApplication> StartAsync(string dataDirectory, IEnumerable<string> resources)
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
            ]);
        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(resources.Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r, timeout.Token)));
        return app;
    }
}
