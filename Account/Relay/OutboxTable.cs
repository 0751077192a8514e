using EventDriven.Accounts.Outbox;
using Npgsql;

namespace EventDriven.Accounts.Relay;

/// <summary>Relaying straight from the outbox table: the polling relay's whole job, and the CDC relay's first catch-up.</summary>
internal static class OutboxTable
{
    /// <summary>
    /// Takes up to <paramref name="batchSize"/> rows in id order (<c>FOR UPDATE SKIP LOCKED</c>), produces them, and
    /// deletes them in the same transaction once Kafka acknowledged all of them; returns how many it relayed.
    /// </summary>
    public static async Task<int> RelayBatchAsync(NpgsqlDataSource dataSource, OutboxPublisher publisher, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = new List<(long Id, OutboxMessage Message)>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, event_id, topic, message_key, ce_type, payload, occurred_at, traceparent, tracestate, actor
            FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """, connection, transaction) { Parameters = { new() { Value = batchSize } } })
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), new OutboxMessage(
                    reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9))));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        // Produced in order and awaited together: the idempotent producer keeps per-partition order.
        await Task.WhenAll(rows.Select(row => publisher.PublishAsync(row.Id, row.Message, row.Message.OccurredAt, cancellationToken)));
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
}
