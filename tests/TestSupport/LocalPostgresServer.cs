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
        _server = Process.Start(new ProcessStartInfo(LocalPostgresCluster.ServerCommand, _cluster.ServerArguments(_port))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start postgres.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        try
        {
            await Poll.UntilAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
                await connection.OpenAsync();
                return true;
            }, TimeSpan.FromSeconds(30), $"PostgreSQL to accept connections on port {_port}");
        }
        catch (TimeoutException)
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { HasExited: false })
        {
            // SIGINT: PostgreSQL's fast shutdown (SIGKILL would leave shared memory and a crash to recover from).
            _ = Process.Start("kill", ["-INT", _server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }

        _server?.Dispose();
        _server = null;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
