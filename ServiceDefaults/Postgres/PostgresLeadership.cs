using Npgsql;

namespace EventDriven.ServiceDefaults.Postgres;

/// <summary>
/// Exactly one holder at a time across a service's instances: a PostgreSQL session advisory lock, held on its own
/// connection for as long as the holder runs. When the holder dies its session ends and another instance takes over.
/// Account's outbox relay and Transactions' publisher each lead this way.
/// </summary>
public sealed class PostgresLeadership : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private PostgresLeadership(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The leadership named by <paramref name="lockKey"/>, or null when another instance holds it.</summary>
    public static async Task<PostgresLeadership?> TryAcquireAsync(string connectionString, long lockKey, CancellationToken cancellationToken)
    {
        // Unpooled: the lock belongs to the session, which must end with the leadership, not go back to a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 5 }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = lockKey } } };
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            return new PostgresLeadership(connection);
        }

        await connection.DisposeAsync();
        return null;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
