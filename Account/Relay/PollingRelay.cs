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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await PostgresLeadership.TryAcquireAsync(database.ConnectionString, RelayOptions.LeadershipLockKey, stoppingToken);
                if (leadership is not null)
                {
                    // Stop when the lock's session fails: another instance may lead by now.
                    using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
                    while (!leading.IsCancellationRequested)
                    {
                        if (await RelayBatchAsync(leading.Token) == 0)
                        {
                            await Task.Delay(_options.PollingInterval, leading.Token);
                        }
                    }
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogRelayFailed(logger, exception);
            }

            await Task.Delay(_options.RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Relays one batch in id order; returns how many rows it relayed.</summary>
    public Task<int> RelayBatchAsync(CancellationToken cancellationToken) =>
        OutboxTable.RelayBatchAsync(dataSource, publisher, _options.PollingBatchSize, cancellationToken);

    [LoggerMessage(LogLevel.Warning, "The polling relay stopped; unrelayed rows stay in the outbox")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
