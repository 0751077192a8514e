using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventDriven.ServiceDefaults.Postgres;

/// <summary>
/// A service's database, created or brought up to date on start. Several instances may start at once: the script runs
/// in one transaction under an advisory lock, and every statement in it must be idempotent. An instance may also start
/// while another serves traffic, and the script's DDL locks the tables that traffic uses: PostgreSQL may then end the
/// script's transaction to break a deadlock, or the server may be restarting. Such failures are retried, so that an
/// instance restarted under load starts instead of ending (found by the chaos drill with two instances of each service).
/// </summary>
public static class PostgresMigration
{
    /// <summary>
    /// Runs <paramref name="script"/> on start, before the hosted services registered after this one start. Added, not
    /// tried: a service may have several migrations (its own and the dead-letter table), all of one implementation type,
    /// which <c>AddHostedService</c> would keep only the first of.
    /// </summary>
    public static IServiceCollection AddPostgresMigration(this IServiceCollection services, long lockKey, string script) =>
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(provider => new Migration(provider.GetRequiredService<NpgsqlDataSource>(), lockKey, script));

    /// <summary>How long to wait before running the script again after a transient failure.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, long lockKey, string script, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await RunAsync(dataSource, lockKey, script, cancellationToken);
                return;
            }
            catch (NpgsqlException exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    /// <summary>A deadlock PostgreSQL broke, a lock not granted, or the server away or restarting: worth trying again.</summary>
    private static bool IsTransient(NpgsqlException exception) =>
        exception.IsTransient
        || exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown };

    private static async Task RunAsync(NpgsqlDataSource dataSource, long lockKey, string script, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction) { Parameters = { new() { Value = lockKey } } })
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private sealed class Migration(NpgsqlDataSource dataSource, long lockKey, string script) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => MigrateAsync(dataSource, lockKey, script, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
