using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventDriven.ServiceDefaults.Postgres;

/// <summary>
/// A service's database, created or brought up to date on start. Several instances may start at once: the script runs
/// in one transaction under an advisory lock, and every statement in it must be idempotent.
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

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, long lockKey, string script, CancellationToken cancellationToken)
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
