using EventDriven.KurrentDB.Client;
using Npgsql;

namespace EventDriven.Transactions.Publishing;

/// <summary>The publisher's durable checkpoint: the <c>$all</c> position up to which Kafka acknowledged every ledger event.</summary>
public sealed class PublisherCheckpoints(NpgsqlDataSource dataSource)
{
    public async Task<Position?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT commit_position, prepare_position FROM publisher_checkpoints WHERE name = $1");
        command.Parameters.Add(new() { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Position((ulong)reader.GetDecimal(0), (ulong)reader.GetDecimal(1))
            : null;
    }

    /// <summary>The checkpoint and when it was last written (null: none yet).</summary>
    public async Task<(Position Position, DateTimeOffset SavedAt)?> LoadWithTimeAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT commit_position, prepare_position, updated_at FROM publisher_checkpoints WHERE name = $1");
        command.Parameters.Add(new() { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (new Position((ulong)reader.GetDecimal(0), (ulong)reader.GetDecimal(1)), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }

    public async Task SaveAsync(string name, Position position, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO publisher_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position, updated_at = now()
            WHERE publisher_checkpoints.commit_position <= excluded.commit_position
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = (decimal)position.CommitPosition });
        command.Parameters.Add(new() { Value = (decimal)position.PreparePosition });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
