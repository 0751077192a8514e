using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.ServiceDefaults.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EventDriven.ServiceDefaults.Kafka;

/// <summary>
/// Where every service parks a message it can never apply: produced to <c>{topic}.dlq</c> (same key, value and headers,
/// plus the error and where it came from) and listed in the service's own database, so that it can be looked at and
/// re-driven (produced again to its topic, headers as they were) once the cause is fixed. One format, one list, one
/// re-drive, for every consumer of every service. A re-driven message names the consumer group that parked it
/// (<see cref="RedrivenFor"/>): it goes back to the shared topic, and only that group takes it again — every other group
/// applied or parked it the first time, and a poison message must not be parked again by each of them.
/// </summary>
public sealed partial class DeadLetterStore(NpgsqlDataSource dataSource, IProducer<string, byte[]> producer, ILogger<DeadLetterStore> logger)
{
    /// <summary>The advisory lock of the dead-letter table's migration (distinct from every service's own).</summary>
    private const long MigrationLock = 0x0dead1e77e75;

    private const string Script = """
        CREATE TABLE IF NOT EXISTS dead_letters (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source_topic text NOT NULL,
            source_partition int NOT NULL,
            source_offset bigint NOT NULL,
            message_key text,
            value bytea,
            headers jsonb NOT NULL,
            error text NOT NULL,
            dead_at timestamptz NOT NULL DEFAULT now(),
            redriven_at timestamptz,
            consumer_group text);
        ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS consumer_group text;
        -- Once per source offset and group: two groups of one service may each park the same message.
        ALTER TABLE dead_letters DROP CONSTRAINT IF EXISTS dead_letters_source_topic_source_partition_source_offset_key;
        CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_once_per_group ON dead_letters (source_topic, source_partition, source_offset, coalesce(consumer_group, ''));
        """;

    /// <summary>The header a re-driven message carries: the consumer group that parked it, the only one to take it again.</summary>
    public const string RedrivenFor = "redriven_for";

    /// <summary>The store and its table (created on start, before the hosted services registered after this).</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        services.AddSingleton<DeadLetterStore>();
        return services.AddPostgresMigration(MigrationLock, Script);
    }

    /// <summary>
    /// True for a message re-driven for another consumer group than <paramref name="groupId"/>: this group applied or
    /// parked the original already, so it passes it by.
    /// </summary>
    public static bool IsRedrivenForAnother(ConsumeResult<string, byte[]> result, string groupId) =>
        CloudEventHeaders.Read(result.Message.Headers, RedrivenFor) is { Length: > 0 } group && group != groupId;

    /// <summary>Parks <paramref name="result"/>, which <paramref name="groupId"/> read: on its dead-letter topic, then in the list (once per source offset and group).</summary>
    public async Task SendAsync(ConsumeResult<string, byte[]> result, string groupId, Exception error, CancellationToken cancellationToken)
    {
        LogDeadLettered(logger, result.Topic, result.Partition.Value, result.Offset.Value, error);
        var headers = new Headers();
        foreach (var header in result.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add("error", Encoding.UTF8.GetBytes(error.Message));
        headers.Add("error_type", Encoding.UTF8.GetBytes(error.GetType().FullName ?? "error"));
        headers.Add("source_topic", Encoding.UTF8.GetBytes(result.Topic));
        headers.Add("source_offset", Encoding.UTF8.GetBytes($"{result.Partition.Value}:{result.Offset.Value}"));
        await producer.ProduceAsync(Topics.DeadLetter(result.Topic), new Message<string, byte[]>
        {
            Key = result.Message.Key,
            Value = result.Message.Value,
            Headers = headers,
        }, cancellationToken);

        await using var command = dataSource.CreateCommand("""
            INSERT INTO dead_letters (source_topic, source_partition, source_offset, message_key, value, headers, error, consumer_group)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = result.Topic });
        command.Parameters.Add(new() { Value = result.Partition.Value });
        command.Parameters.Add(new() { Value = result.Offset.Value });
        command.Parameters.Add(new() { Value = (object?)result.Message.Key ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)result.Message.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(TextHeaders(result.Message.Headers)) });
        command.Parameters.Add(new() { Value = $"{error.GetType().Name}: {error.Message}" });
        command.Parameters.Add(new() { Value = groupId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(bool includeRedriven, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT id, source_topic, source_partition, source_offset, message_key, value, headers::text, error, dead_at, redriven_at, consumer_group
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
                reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return letters;
    }

    /// <summary>Produces the message again to its topic, headers as they were; false when there is no such dead letter left.</summary>
    public async Task<bool> RedriveAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var load = new NpgsqlCommand(
            "SELECT source_topic, message_key, value, headers::text, consumer_group FROM dead_letters WHERE id = $1 AND redriven_at IS NULL FOR UPDATE", connection, transaction)
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
            headers.Add("redriven_from", Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture)));
            // A letter parked before groups were recorded goes to every group, as re-drives did then.
            headers.Remove(RedrivenFor);
            if (!reader.IsDBNull(4))
            {
                headers.Add(RedrivenFor, Encoding.UTF8.GetBytes(reader.GetString(4)));
            }
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

    /// <summary>
    /// Re-drives every dead letter still waiting, oldest first, one at a time as <see cref="RedriveAsync"/> does (so a
    /// concurrent re-drive of the same letter produces it once); letters parked meanwhile wait for the next call.
    /// </summary>
    public async Task<int> RedriveAllAsync(CancellationToken cancellationToken)
    {
        var waiting = new List<long>();
        await using (var command = dataSource.CreateCommand("SELECT id FROM dead_letters WHERE redriven_at IS NULL ORDER BY id"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                waiting.Add(reader.GetInt64(0));
            }
        }

        var redriven = 0;
        foreach (var id in waiting)
        {
            redriven += await RedriveAsync(id, cancellationToken) ? 1 : 0;
        }

        return redriven;
    }

    /// <summary>The message's headers as text; Kafka allows a key more than once, and as with Headers.GetLastBytes, the last one stands.</summary>
    private static Dictionary<string, string> TextHeaders(Headers? headers)
    {
        var text = new Dictionary<string, string>();
        foreach (var header in headers ?? [])
        {
            text[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        return text;
    }

    [LoggerMessage(LogLevel.Warning, "{Topic} {Partition}:{Offset} can never apply; parked on its dead-letter topic")]
    private static partial void LogDeadLettered(ILogger logger, string topic, int partition, long offset, Exception exception);
}

/// <summary>
/// A parked message as listed: where it came from, what it was, why it failed, whether it was re-driven, and the
/// consumer group that parked it (null for a letter parked before groups were recorded).
/// </summary>
public sealed record DeadLetter(
    long Id, string SourceTopic, int SourcePartition, long SourceOffset, string? Key, string? Value, IReadOnlyDictionary<string, string> Headers,
    string Error, DateTimeOffset DeadAt, DateTimeOffset? RedrivenAt, string? ConsumerGroup);
