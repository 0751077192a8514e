using EventDriven.LocalInfrastructure;
using Xunit;

namespace EventDriven.Tests;

/// <summary>
/// The local KurrentDB API server as its own process on free ports and a fresh data folder. It can be killed
/// (SIGKILL, no shutdown) and started again on the same folder, for crash tests.
/// </summary>
public sealed class LocalKurrentDBServer : IAsyncLifetime
{
    private readonly int _grpcPort = FreePort.Pick();
    private readonly int _httpPort = FreePort.Pick();
    private ChildProcess? _process;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("kurrentdb-").FullName;

    public string ConnectionString => $"kurrentdb://localhost:{_grpcPort}?tls=false";

    /// <summary>The gRPC endpoint itself (HTTP/2 cleartext), for tests that speak the protocol directly.</summary>
    public Uri GrpcAddress => new($"http://localhost:{_grpcPort}");

    public async ValueTask InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        _process = ChildProcess.StartDotnet(LocalInfrastructureAssemblies.LocalKurrentDB, [], new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://localhost:{_grpcPort}",
            ["Kestrel__Endpoints__Http__Url"] = $"http://localhost:{_httpPort}",
            ["LocalKurrentDB__DataDirectory"] = DataDirectory,
        });

        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{_httpPort}") };
        await Poll.UntilAsync(
            async () => (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30),
            $"the local KurrentDB server to answer on port {_httpPort}");
    }

    /// <summary>Kills the process outright, as a crash would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
