using EventDriven.ServiceDefaults.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// The polling relay, for PostgreSQL without logical replication and as CDC's yardstick: takes a batch of outbox rows
/// (<c>FOR UPDATE SKIP LOCKED</c>), produces them, and deletes them in the same transaction once Kafka acknowledged
/// all of them. A crash before the commit leaves the rows for the next poll: re-sent, never lost.
/// </summary>
public sealed partial class PollingRelay(
    NpgsqlDataSource dataSource,
    AccountServices.AccountDatabase database,
    OutboxPublisher publisher,
    IOptions<RelayOptions> options,
    ILogger<PollingRelay> logger) : BackgroundService
{
    private readonly RelayOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresLeadership.LeadWhileRunningAsync(database.ConnectionString, RelayOptions.LeadershipLockKey, async leading =>
        {
            while (!leading.IsCancellationRequested)
            {
                if (await RelayBatchAsync(leading) == 0)
                {
                    await Task.Delay(_options.PollingInterval, leading);
                }
            }
        }, exception => LogRelayFailed(logger, exception), _options.RetryDelay, stoppingToken);

    /// <summary>Relays one batch in id order; returns how many rows it relayed.</summary>
    public Task<int> RelayBatchAsync(CancellationToken cancellationToken) =>
        OutboxTable.RelayBatchAsync(dataSource, publisher, _options.PollingBatchSize, cancellationToken);

    [LoggerMessage(LogLevel.Warning, "The polling relay stopped; unrelayed rows stay in the outbox")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
