using EventDriven.Tests;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// The local PostgreSQL stand-in stops within seconds when stopped as an orchestrator stops it (SIGTERM), even while a
/// logical replication client has not confirmed WAL it was sent, as the CDC relay does not while the broker is away (a
/// fast shutdown alone waits for that confirmation for ever; found by the chaos drill), and starts again with every
/// committed row.
/// </summary>
public sealed class LocalPostgresStopTests : IAsyncLifetime
{
    /// <summary>Well before an orchestrator gives up on the process (Aspire's kills it about six seconds after asking).</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    private readonly LocalPostgresServer _postgres = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _postgres.InitializeAsync();

    public ValueTask DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task PostgreSQL_stops_within_seconds_while_a_replication_client_holds_back_its_confirmation()
    {
        var database = await _postgres.CreateDatabaseAsync("stopdb");
        await ExecuteAsync(database, "CREATE TABLE relayed (id int PRIMARY KEY)");
        await ExecuteAsync(database, "CREATE PUBLICATION relayed_rows FOR TABLE relayed");
        // A slot must be made outside a transaction that wrote anything.
        await ExecuteAsync(database, "SELECT pg_create_logical_replication_slot('relayed_rows', 'pgoutput')");
        var replication = new LogicalReplicationConnection(database);
        await replication.Open(Ct);
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var messages = replication.StartReplication(
            new PgOutputReplicationSlot("relayed_rows"), new PgOutputReplicationOptions("relayed_rows", PgOutputProtocolVersion.V1), streaming.Token).GetAsyncEnumerator(streaming.Token);
        try
        {
            // The first row is received and confirmed, as the relay confirms what Kafka acknowledged; the second only received.
            await ExecuteAsync(database, "INSERT INTO relayed VALUES (1)");
            replication.SetReplicationStatus(await NextCommitAsync(messages));
            await replication.SendStatusUpdate(Ct);
            await ExecuteAsync(database, "INSERT INTO relayed VALUES (2)");
            await NextCommitAsync(messages);

            var stopped = await _postgres.StopAsync(TimeSpan.FromSeconds(30));

            Assert.True(stopped < StopBound, stopped is { } took
                ? $"PostgreSQL took {took.TotalSeconds:0.0} s to stop."
                : "PostgreSQL was still running 30 s after SIGTERM, and was killed.");
        }
        finally
        {
            await streaming.CancelAsync();
            await Quietly(messages.DisposeAsync().AsTask());
            await Quietly(replication.DisposeAsync().AsTask());
        }

        await _postgres.StartAsync();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM relayed", connection);
        Assert.Equal(2L, await count.ExecuteScalarAsync(Ct));
    }

    /// <summary>
    /// The restart signal restarts the server in place, as the AppHost's restart-server command asks: a new server
    /// process with every committed row, while the process the orchestrator started stays up.
    /// </summary>
    [Fact]
    public async Task The_restart_signal_restarts_the_server_in_place()
    {
        var database = await _postgres.CreateDatabaseAsync("restartdb");
        await ExecuteAsync(database, "CREATE TABLE kept (id int PRIMARY KEY)");
        await ExecuteAsync(database, "INSERT INTO kept VALUES (1)");
        var before = _postgres.ServerProcessId();
        Assert.NotNull(before);

        await _postgres.RequestRestartAsync();

        var after = await Poll.UntilAsync(async () =>
        {
            if (_postgres.ServerProcessId() is not { } now || now == before)
            {
                return null;
            }

            await using var connection = new NpgsqlConnection(database + ";Pooling=false");
            await connection.OpenAsync(Ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM kept", connection);
            return new Restarted(now, (long)(await count.ExecuteScalarAsync(Ct))!);
        }, TimeSpan.FromSeconds(30), "a new server process answering");
        Assert.Equal(1L, after.Rows);
        Assert.True(_postgres.Running, "The process the orchestrator started ended with the restart.");
    }

    private sealed record Restarted(int Process, long Rows);

    private static async Task<NpgsqlTypes.NpgsqlLogSequenceNumber> NextCommitAsync(IAsyncEnumerator<PgOutputReplicationMessage> messages)
    {
        while (await messages.MoveNextAsync())
        {
            if (messages.Current is CommitMessage commit)
            {
                return commit.TransactionEndLsn;
            }
        }

        throw new InvalidOperationException("The replication stream ended.");
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The stream and its connection end with the server they were on: how is not what this test is about.</summary>
    private static async Task Quietly(Task closing)
    {
        try
        {
            await closing;
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
