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
