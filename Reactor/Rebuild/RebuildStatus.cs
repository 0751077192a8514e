using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Reactor.ReadModels;
using Npgsql;
using NpgsqlTypes;

namespace EventDriven.Reactor.Rebuild;

/// <param name="Progress">
/// Of the messages the topics held when the rebuild started, the share read so far (0 to 1; a running rebuild updates
/// it, with <paramref name="Events"/>, a few times a second); 1 once done.
/// </param>
public sealed record RebuildStatus(
    ReadModel Model, int Generation, string State, long Events, double Seconds, double EventsPerSecond, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string? Error, double Progress);

/// <summary>
/// The last rebuild's status in Reactor's database, so that every instance shows the same one: written when a rebuild
/// starts and ends (its progress while running is the running instance's own). A status still "running" whose
/// instance no longer holds <see cref="ReadModelSchema.RebuildLock"/> (it died) reads as stopped.
/// </summary>
public sealed class RebuildStatusStore(NpgsqlDataSource dataSource)
{
    public async Task SaveAsync(RebuildStatus status, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO rebuild_status (id, status) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET status = excluded.status");
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(status, ContractJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<RebuildStatus?> ReadAsync(CancellationToken cancellationToken)
    {
        // The rebuild lock is a bigint key: PostgreSQL shows it as classid (high half) and objid (low half).
        await using var command = dataSource.CreateCommand("""
            SELECT status::text, EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)
            FROM rebuild_status WHERE id = 1
            """);
        command.Parameters.Add(new() { Value = ReadModelSchema.RebuildLock });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var status = JsonSerializer.Deserialize<RebuildStatus>(reader.GetString(0), ContractJson.Options)!;
        return status.State == "running" && !reader.GetBoolean(1)
            ? status with { State = "stopped", Error = "The instance that ran it stopped; the live generation stays." }
            : status;
    }
}
