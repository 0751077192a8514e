using System.Collections.Concurrent;
using Npgsql;

namespace EventDriven.ServiceDefaults.Postgres;

/// <summary>
/// Exactly one holder at a time across a service's instances: a PostgreSQL session advisory lock, held on its own
/// connection for as long as the holder runs. When the holder dies its session ends and another instance takes over.
/// The holder watches its session too: when the connection fails the lock may already be someone else's, so
/// <see cref="Lost"/> is cancelled and the holder must stop. Account's outbox relay and Transactions' publisher lead this way.
/// </summary>
public sealed class PostgresLeadership : IAsyncDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<long, PostgresLeadership> Held = new();
    private readonly NpgsqlConnection _connection;
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _watching;

    private PostgresLeadership(NpgsqlConnection connection, long lockKey)
    {
        _connection = connection;
        LockKey = lockKey;
        Held[lockKey] = this;
        _watching = WatchAsync();
    }

    /// <summary>
    /// This process (<c>{machine}:{process id}</c>), so that a status can say which of a service's instances answered.
    /// </summary>
    public static string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>The lock this leadership holds.</summary>
    public long LockKey { get; }

    /// <summary>Whether this process leads by <paramref name="lockKey"/> now (holds it, and its session was not lost).</summary>
    public static bool Leads(long lockKey) => Held.TryGetValue(lockKey, out var held) && !held._lost.IsCancellationRequested;

    /// <summary>Cancelled when the session that holds the lock failed: stop leading.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The leadership named by <paramref name="lockKey"/>, or null when another instance holds it.</summary>
    public static async Task<PostgresLeadership?> TryAcquireAsync(string connectionString, long lockKey, CancellationToken cancellationToken)
    {
        // Unpooled: the lock belongs to the session, which must end with the leadership, not go back to a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 5 }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = lockKey } } };
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new PostgresLeadership(connection, lockKey);
            }
        }
        catch
        {
            // The lock may have been granted before the failure: closing the session is what releases it.
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// For as long as the service runs: take the lock when free and run <paramref name="lead"/> while holding it, with a
    /// token cancelled when the service stops or the lock's session fails. When <paramref name="lead"/> ends — it
    /// returned, failed (reported to <paramref name="failed"/>) or lost the lock — wait <paramref name="retryDelay"/>
    /// and try again; an instance that did not get the lock tries again after the same delay.
    /// </summary>
    public static async Task LeadWhileRunningAsync(
        string connectionString, long lockKey, Func<CancellationToken, Task> lead, Action<Exception> failed, TimeSpan retryDelay, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await TryAcquireAsync(connectionString, lockKey, stoppingToken);
                if (leadership is not null)
                {
                    // Stop when the lock's session fails: another instance may lead by now.
                    using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
                    await lead(leading.Token);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                failed(exception);
            }

            await Task.Delay(retryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            while (!_lost.IsCancellationRequested)
            {
                await Task.Delay(CheckInterval, _lost.Token);
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(_lost.Token);
            }
        }
        catch (OperationCanceledException) when (_lost.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            // Whatever broke the session (or the check of it), the lock can no longer be trusted.
            await _lost.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Held.TryRemove(new KeyValuePair<long, PostgresLeadership>(LockKey, this));
        await _lost.CancelAsync();
        try
        {
            await _watching;
        }
        finally
        {
            await _connection.DisposeAsync();
            _lost.Dispose();
        }
    }
}
