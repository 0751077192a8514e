using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

using EventDriven.LocalInfrastructure.Postgres;

namespace EventDriven.AppHost.Hosting;

public static class LocalPostgresBuilderExtensions
{
    public const int PreferredPort = 5432;

    /// <summary>The command that restarts the server in place (the fault drills' PostgreSQL restart).</summary>
    public const string RestartServerCommand = "restart-server";

    /// <summary>How long the restart-server command waits for the new server to answer.</summary>
    private static readonly TimeSpan RestartBound = TimeSpan.FromMinutes(1);

    /// <summary>
    /// PostgreSQL from the machine's server binaries (Debian's <c>postgresql</c> package), initialised on first run in
    /// <c>{LocalInfrastructure:DataDirectory}/postgres</c> with a generated password, <c>wal_level=logical</c>, listening
    /// on localhost only. Run as root, the server runs as the <c>postgres</c> user, as PostgreSQL insists.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        var binaries = PostgresBinaries.Locate(builder.Configuration["LocalInfrastructure:PostgresBinDirectory"]);
        var cluster = new LocalPostgresCluster(LocalInfrastructureData.Directory(builder.Configuration, "postgres"), binaries);
        var port = FreePort.PreferOrPick(builder.Configuration.GetValue("LocalInfrastructure:PostgresPort", PreferredPort));
        var server = new LocalPostgresServerResource(name, LocalPostgresCluster.ServerCommand, cluster.DataDirectory, cluster.EnsurePassword());

        string? connectionString = null;

        return builder.AddResource(server)
            .WithArgs([.. cluster.ServerArguments(port)])
            .WithEndpoint(port: port, targetPort: port, name: LocalPostgresServerResource.PrimaryEndpointName, isProxied: false)
            .WithHealthCheck(new PostgresHealthCheck(() => connectionString))
            .WithCommand(RestartServerCommand, "Restart server", context => RestartServerAsync(context, cluster, connectionString), new CommandOptions
            {
                Description = "Stops the server (fast, then immediate) and starts it again in the same process: every session is cut, and the WAL is recovered.",
                IconName = "ArrowSync",
                UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            })
            .OnBeforeResourceStarted(async (_, @event, cancellationToken) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
                await cluster.EnsureInitialisedAsync(logger, cancellationToken);
            })
            .OnConnectionStringAvailable(async (resource, _, cancellationToken) =>
                // Unpooled: an idle pooled connection of the AppHost's would hold up the server's shutdown.
                connectionString = new NpgsqlConnectionStringBuilder(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken))
                {
                    Pooling = false,
                }.ConnectionString)
            .OnResourceReady(async (resource, @event, cancellationToken) =>
            {
                await CreateDatabasesAsync(connectionString!, resource.Databases.Values, cancellationToken);
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == resource))
                {
                    await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running });
                }
            });
    }

    /// <summary>
    /// Restarts the server in place: the process the orchestrator started (<see cref="LocalPostgresCluster.ServerCommand"/>)
    /// gets <see cref="LocalPostgresCluster.RestartSignal"/>, stops the server and starts it again, and the command ends
    /// once a new server process answers. The orchestrator's own restart replaces that process instead, and how long it
    /// takes to deliver its stop depends on how busy it is: under a drill's load it took longer than its own stop timeout,
    /// which then failed the restart and left PostgreSQL down.
    /// </summary>
    private static async Task<ExecuteCommandResult> RestartServerAsync(ExecuteCommandContext context, LocalPostgresCluster cluster, string? connectionString)
    {
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        // Aspire's snapshot of an executable names its process id in the "executable.pid" property.
        if (!notifications.TryGetCurrentState(context.ResourceName, out var current)
            || current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not int processId
            || cluster.ServerProcessId() is not { } before)
        {
            return CommandResults.Failure("PostgreSQL is not running.");
        }

        using (var signal = Process.Start("kill", [$"-{LocalPostgresCluster.RestartSignal}", processId.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync(context.CancellationToken);
            if (signal.ExitCode != 0)
            {
                return CommandResults.Failure($"The restart signal could not be sent to process {processId}.");
            }
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        bound.CancelAfter(RestartBound);
        var health = new PostgresHealthCheck(() => connectionString);
        while (!bound.IsCancellationRequested)
        {
            if (cluster.ServerProcessId() is { } now && now != before
                && (await health.CheckHealthAsync(new HealthCheckContext(), bound.Token)).Status == HealthStatus.Healthy)
            {
                return CommandResults.Success();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), bound.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return CommandResults.Failure($"No new server answered within {RestartBound.TotalSeconds:0} seconds.");
    }

    /// <summary>A database on the local server, created (if missing) as soon as the server answers.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, [ResourceName] string name, string? databaseName = null)
    {
        databaseName ??= name;
        server.Resource.Databases[name] = databaseName;
        return server.ApplicationBuilder.AddResource(new LocalPostgresDatabaseResource(name, databaseName, server.Resource))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            });
    }

    private static async Task CreateDatabasesAsync(string connectionString, IEnumerable<string> databases, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // Identifiers cannot be parameters; the name comes from the AppHost's own code and is quoted.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private sealed class PostgresHealthCheck(Func<string?> connectionString) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (connectionString() is not { } value)
            {
                return HealthCheckResult.Unhealthy("No connection string yet.");
            }

            try
            {
                await using var connection = new NpgsqlConnection(value);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL did not answer.", exception);
            }
        }
    }
}
