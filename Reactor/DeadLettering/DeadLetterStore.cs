using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.ServiceDefaults.Kafka;
using Npgsql;

namespace EventDriven.Reactor.DeadLettering;

/// <summary>
/// Messages Reactor could not read or apply: produced to <c>{topic}.dlq</c> with the error in headers, and listed here
/// so that they can be looked at and re-driven (produced again to their topic once the cause is fixed).
/// </summary>
public sealed partial class DeadLetterStore(NpgsqlDataSource dataSource, IProducer<string, byte[]> producer, ILogger<DeadLetterStore> logger)
{
    public async Task SendAsync(ConsumeResult<string, byte[]> result, Exception error, CancellationToken cancellationToken)
    {
        LogDeadLettered(logger, result.Topic, result.Partition.Value, result.Offset.Value, error);
        await DeadLetters.SendAsync(producer, Topics.DeadLetter(result.Topic), result, error, cancellationToken);
        // Kafka allows a key more than once; as with Headers.GetLastBytes, the last one stands.
        var headers = new Dictionary<string, string>();
        foreach (var header in result.Message.Headers ?? [])
        {
            headers[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        await using var command = dataSource.CreateCommand("""
            INSERT INTO dead_letters (source_topic, source_partition, source_offset, message_key, value, headers, error)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = result.Topic });
        command.Parameters.Add(new() { Value = result.Partition.Value });
        command.Parameters.Add(new() { Value = result.Offset.Value });
        command.Parameters.Add(new() { Value = (object?)result.Message.Key ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)result.Message.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(headers) });
        command.Parameters.Add(new() { Value = $"{error.GetType().Name}: {error.Message}" });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(bool includeRedriven, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT id, source_topic, source_partition, source_offset, message_key, value, headers::text, error, dead_at, redriven_at
            FROM dead_letters {(includeRedriven ? "" : "WHERE redriven_at IS NULL")} ORDER BY id LIMIT 500
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(5)),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6))!, reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return letters;
    }

    /// <summary>Produces the message again to its topic, headers as they were; false when there is no such dead letter left.</summary>
    public async Task<bool> RedriveAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var load = new NpgsqlCommand(
            "SELECT source_topic, message_key, value, headers::text FROM dead_letters WHERE id = $1 AND redriven_at IS NULL FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = id } },
        };
        Message<string, byte[]> message;
        string topic;
        await using (var reader = await load.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            topic = reader.GetString(0);
            var headers = new Headers();
            foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(3))!)
            {
                headers.Add(key, Encoding.UTF8.GetBytes(value));
            }

            // One origin: a message re-driven again names the latest dead letter it came from.
            headers.Remove("redriven_from");
            headers.Add("redriven_from", Encoding.UTF8.GetBytes(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            message = new Message<string, byte[]>
            {
                Key = reader.IsDBNull(1) ? null! : reader.GetString(1),
                Value = reader.IsDBNull(2) ? null! : reader.GetFieldValue<byte[]>(2),
                Headers = headers,
            };
        }

        await producer.ProduceAsync(topic, message, cancellationToken);
        await using var mark = new NpgsqlCommand("UPDATE dead_letters SET redriven_at = now() WHERE id = $1", connection, transaction) { Parameters = { new() { Value = id } } };
        await mark.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    [LoggerMessage(LogLevel.Warning, "{Topic} {Partition}:{Offset} sent to the dead-letter topic")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, Exception exception);
}

public sealed record DeadLetter(
    long Id, string SourceTopic, int SourcePartition, long SourceOffset, string? Key, string? Value, IReadOnlyDictionary<string, string> Headers,
    string Error, DateTimeOffset DeadAt, DateTimeOffset? RedrivenAt);
