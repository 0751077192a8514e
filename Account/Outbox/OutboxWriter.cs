using Npgsql;

namespace EventDriven.Accounts.Outbox;

/// <summary>Inserts outbox messages in the command's own transaction: they exist exactly when the change does.</summary>
public static class OutboxWriter
{
    /// <summary>Adds the inserts of <paramref name="messages"/> to a batch the caller runs in its transaction.</summary>
    public static void Add(NpgsqlBatch batch, IReadOnlyList<OutboxMessage> messages)
    {
        foreach (var message in messages)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO outbox (event_id, topic, message_key, ce_type, payload, occurred_at, traceparent, tracestate, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            {
                Parameters =
                {
                    new() { Value = message.EventId },
                    new() { Value = message.Topic },
                    new() { Value = message.Key },
                    new() { Value = message.Type },
                    new() { Value = message.Payload },
                    new() { Value = message.OccurredAt },
                    new() { Value = (object?)message.TraceParent ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                    new() { Value = (object?)message.TraceState ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                    new() { Value = (object?)message.Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                },
            });
        }
    }
}
