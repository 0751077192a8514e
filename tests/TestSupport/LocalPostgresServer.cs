using System.Diagnostics;
using EventDriven.LocalInfrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace EventDriven.Tests;

/// <summary>
/// A private PostgreSQL cluster for a test collection: initialised in a fresh folder the way the AppHost's local mode
/// does it (<c>wal_level=logical</c>), started as its own process on a free port, removed afterwards.
/// </summary>
public sealed class LocalPostgresServer : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"eventdriven-pg-{Guid.NewGuid():N}");
    private readonly int _port = FreePort.Pick();
    private LocalPostgresCluster _cluster = null!;
    private string _password = "";
    private Process? _server;

    /// <summary>Connection string of a database, created on first use.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(database);
    }

    public string ConnectionString(string database) =>
        $"Host=localhost;Port={_port};Username={LocalPostgresCluster.UserName};Password={_password};Database={database}";

    public async ValueTask InitializeAsync()
    {
        // Not a 0700 temp folder: as root, the postgres user must be able to enter it.
        Directory.CreateDirectory(_folder);
        _cluster = new LocalPostgresCluster(_folder, PostgresBinaries.Locate(configured: null));
        _password = _cluster.EnsurePassword();
        await _cluster.EnsureInitialisedAsync(NullLogger.Instance, CancellationToken.None);
        try
        {
            await StartAsync();
        }
        catch (TimeoutException)
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server on its data folder, as the AppHost does, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        _server = Process.Start(new ProcessStartInfo(LocalPostgresCluster.ServerCommand, _cluster.ServerArguments(_port))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start postgres.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await Poll.UntilAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync();
            return true;
        }, TimeSpan.FromSeconds(30), $"PostgreSQL to accept connections on port {_port}");
    }

    /// <summary>
    /// Stops the server as an orchestrator does (SIGTERM to the process it started) and returns how long it took to
    /// end; a server still running after <paramref name="bound"/> is killed, and the answer is null.
    /// </summary>
    public async Task<TimeSpan?> StopAsync(TimeSpan bound)
    {
        NpgsqlConnection.ClearAllPools();
        var server = _server ?? throw new InvalidOperationException("The server is not running.");
        var stopwatch = Stopwatch.StartNew();
        await SignalAsync(server, "TERM");
        return await EndAsync(server, bound) ? stopwatch.Elapsed : null;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { HasExited: false } server)
        {
            // SIGINT: PostgreSQL's fast shutdown (SIGKILL would leave shared memory and a crash to recover from).
            await SignalAsync(server, "INT");
            await EndAsync(server, TimeSpan.FromSeconds(20));
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The running server's process id (null while none runs).</summary>
    public int? ServerProcessId() => _cluster.ServerProcessId();

    /// <summary>Asks the process that runs the server to restart it in place, as the AppHost's restart-server command does.</summary>
    public Task RequestRestartAsync() =>
        SignalAsync(_server ?? throw new InvalidOperationException("The server is not running."), LocalPostgresCluster.RestartSignal);

    /// <summary>Whether the process that runs the server is still running.</summary>
    public bool Running => _server is { HasExited: false };

    private static async Task SignalAsync(Process server, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the server to end by itself within <paramref name="bound"/>; true if it did, otherwise it is killed.</summary>
    private async Task<bool> EndAsync(Process server, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await server.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            return false;
        }
        finally
        {
            server.Dispose();
            _server = null;
        }
    }
}
