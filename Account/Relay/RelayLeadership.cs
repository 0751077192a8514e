using Npgsql;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// Exactly one relay at a time across Account instances: a PostgreSQL session advisory lock, held on its own
/// connection for as long as the relay runs. When the holder dies its session ends and another instance takes over.
/// </summary>
public sealed class RelayLeadership : IAsyncDisposable
{
    private const long LockKey = 0x52656c6179; // "Relay"
    private readonly NpgsqlConnection _connection;

    private RelayLeadership(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The leadership, or null when another instance holds it.</summary>
    public static async Task<RelayLeadership?> TryAcquireAsync(string connectionString, CancellationToken cancellationToken)
    {
        // Unpooled: the lock belongs to the session, which must end with the leadership, not go back to a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 5 }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            return new RelayLeadership(connection);
        }

        await connection.DisposeAsync();
        return null;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
