using EventDriven.Accounts.Outbox;
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
                await using var leadership = await RelayLeadership.TryAcquireAsync(database.ConnectionString, stoppingToken);
                while (leadership is not null && !stoppingToken.IsCancellationRequested)
                {
                    if (await RelayBatchAsync(stoppingToken) == 0)
                    {
                        await Task.Delay(_options.PollingInterval, stoppingToken);
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
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = new List<(long Id, OutboxMessage Message)>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, event_id, topic, message_key, ce_type, payload, occurred_at, traceparent, tracestate
            FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """, connection, transaction) { Parameters = { new() { Value = _options.PollingBatchSize } } })
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), new OutboxMessage(
                    reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8))));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        // Produced in order and awaited together: the idempotent producer keeps per-partition order.
        await Task.WhenAll(rows.Select(row => publisher.PublishAsync(row.Message, row.Message.OccurredAt, cancellationToken)));
        await using (var delete = new NpgsqlCommand("DELETE FROM outbox WHERE id = ANY($1)", connection, transaction)
        {
            Parameters = { new() { Value = rows.Select(r => r.Id).ToArray() } },
        })
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rows.Count;
    }

    [LoggerMessage(LogLevel.Warning, "The polling relay stopped; unrelayed rows stay in the outbox")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
