using EventDriven.ServiceDefaults.Postgres;
using System.Threading.Channels;
using EventDriven.Accounts.Outbox;
using EventDriven.Accounts.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace EventDriven.Accounts.Relay;

/// <summary>
/// The change-data-capture relay: reads outbox inserts from the WAL through a durable logical replication slot
/// (pgoutput, publication on the outbox table only) and produces them to Kafka. A transaction's WAL position is
/// confirmed to PostgreSQL only after Kafka acknowledged every message in it and every transaction before it, so a
/// crash at any point re-sends (same event ids) and never loses. Relayed rows are then deleted from the table.
/// </summary>
public sealed partial class CdcRelay(
    NpgsqlDataSource dataSource,
    AccountServices.AccountDatabase database,
    OutboxPublisher publisher,
    IOptions<RelayOptions> options,
    ILogger<CdcRelay> logger) : BackgroundService
{
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromSeconds(1);
    private readonly RelayOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresLeadership.LeadWhileRunningAsync(database.ConnectionString, RelayOptions.LeadershipLockKey, leading =>
        {
            LogLeading(logger, _options.SlotName);
            return RelayAsync(leading);
        }, exception => LogRelayFailed(logger, exception), _options.RetryDelay, stoppingToken);

    /// <summary>Streams the slot until cancelled or until a produce fails; the caller starts again from the slot.</summary>
    public async Task RelayAsync(CancellationToken cancellationToken)
    {
        if (await CreateSlotIfMissingAsync(cancellationToken))
        {
            // The new slot sees only what is written from now on: rows already in the table (written before CDC ran)
            // are relayed from the table first. Some may also come through the slot: sent twice, never lost.
            while (await OutboxTable.RelayBatchAsync(dataSource, publisher, 500, cancellationToken) > 0)
            {
            }
        }

        await using var replication = new LogicalReplicationConnection(database.ConnectionString);
        await replication.Open(cancellationToken);

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var commits = Channel.CreateBounded<PendingCommit>(new BoundedChannelOptions(10_000) { SingleReader = true, SingleWriter = true });
        var confirming = ConfirmInOrderAsync(replication, commits.Reader, failed);

        try
        {
            var transaction = new List<Task>();
            var committedAt = DateTimeOffset.UtcNow;
            var lastId = 0L;
            var slot = new PgOutputReplicationSlot(_options.SlotName);
            var replicationOptions = new PgOutputReplicationOptions(Schema.Publication, PgOutputProtocolVersion.V1);
            await foreach (var message in replication.StartReplication(slot, replicationOptions, failed.Token))
            {
                switch (message)
                {
                    case BeginMessage begin:
                        // pgoutput sends a transaction once it committed; its commit time starts the relay lag.
                        transaction = [];
                        committedAt = new DateTimeOffset(DateTime.SpecifyKind(begin.TransactionCommitTimestamp, DateTimeKind.Utc));
                        break;
                    case InsertMessage insert:
                        var (id, row) = await ReadRowAsync(insert, failed.Token);
                        lastId = id;
                        transaction.Add(publisher.PublishAsync(id, row, committedAt, failed.Token));
                        break;
                    case CommitMessage commit:
                        await commits.Writer.WriteAsync(new PendingCommit(commit.TransactionEndLsn, [.. transaction], lastId), failed.Token);
                        break;
                }
            }
        }
        finally
        {
            commits.Writer.TryComplete();
            await failed.CancelAsync();
            await confirming.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Confirms transactions strictly in commit order, each once all its messages are acknowledged; a failed produce
    /// stops the relay (cancelling <paramref name="failed"/>) with nothing after it confirmed.
    /// </summary>
    private async Task ConfirmInOrderAsync(LogicalReplicationConnection replication, ChannelReader<PendingCommit> commits, CancellationTokenSource failed)
    {
        var relayedUpTo = 0L;
        var deletedUpTo = 0L;
        var lastCleanup = TimeProvider.System.GetTimestamp();
        try
        {
            while (true)
            {
                // Relayed rows are cleared about once a second, busy or quiet; a DELETE per commit would double the
                // database's commits.
                if (relayedUpTo > deletedUpTo && TimeProvider.System.GetElapsedTime(lastCleanup) >= CleanupInterval)
                {
                    await DeleteRelayedAsync(relayedUpTo, failed.Token);
                    (deletedUpTo, lastCleanup) = (relayedUpTo, TimeProvider.System.GetTimestamp());
                }

                if (!commits.TryRead(out var commit))
                {
                    // Nothing to confirm: wait for the next commit, or for the next cleanup.
                    var ready = commits.WaitToReadAsync(failed.Token).AsTask();
                    if (await Task.WhenAny(ready, Task.Delay(CleanupInterval, failed.Token)) == ready && !await ready)
                    {
                        return;
                    }

                    continue;
                }

                await Task.WhenAll(commit.Deliveries);
                replication.SetReplicationStatus(commit.EndLsn);
                relayedUpTo = Math.Max(relayedUpTo, commit.LastOutboxId);
                if (commits.Count == 0)
                {
                    // Caught up: tell PostgreSQL.
                    await replication.SendStatusUpdate(failed.Token);
                }
            }
        }
        catch (Exception exception) when (!failed.IsCancellationRequested)
        {
            LogProduceFailed(logger, exception);
            await failed.CancelAsync();
        }
    }

    private async Task DeleteRelayedAsync(long upToId, CancellationToken cancellationToken)
    {
        await using var delete = dataSource.CreateCommand("DELETE FROM outbox WHERE id <= $1");
        delete.Parameters.Add(new() { Value = upToId });
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Creates the durable slot unless it exists; true when it had to.</summary>
    private async Task<bool> CreateSlotIfMissingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*) FROM (
                SELECT pg_create_logical_replication_slot($1, 'pgoutput')
                WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)) AS created
            """);
        command.Parameters.Add(new() { Value = _options.SlotName });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>The outbox row's columns, in table order (see <see cref="Schema"/>); values come as text.</summary>
    private static async Task<(long Id, OutboxMessage Message)> ReadRowAsync(InsertMessage insert, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var value in insert.NewRow.WithCancellation(cancellationToken))
        {
            values[value.GetFieldName()] = value.IsDBNull ? null : await value.Get<string>(cancellationToken);
        }

        var message = new OutboxMessage(
            Guid.Parse(values["event_id"]!),
            values["topic"]!,
            values["message_key"]!,
            values["ce_type"]!,
            values["payload"]!,
            DateTimeOffset.Parse(values["occurred_at"]!, System.Globalization.CultureInfo.InvariantCulture),
            values["traceparent"],
            values["tracestate"],
            // Rows written before the column existed come without it.
            values.GetValueOrDefault("actor"));
        return (long.Parse(values["id"]!, System.Globalization.CultureInfo.InvariantCulture), message);
    }

    private sealed record PendingCommit(NpgsqlLogSequenceNumber EndLsn, Task[] Deliveries, long LastOutboxId);

    [LoggerMessage(LogLevel.Information, "Relaying the outbox from the WAL through slot {Slot}")]
    private static partial void LogLeading(ILogger logger, string slot);

    [LoggerMessage(LogLevel.Warning, "The CDC relay stopped; it resumes from its slot")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Kafka did not acknowledge a relayed message; nothing after it is confirmed")]
    private static partial void LogProduceFailed(ILogger logger, Exception exception);
}
