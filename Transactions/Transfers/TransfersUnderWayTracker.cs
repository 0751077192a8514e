using EventDriven.Contracts.Reconciliation;
using EventDriven.KurrentDB.Client;
using EventDriven.ServiceDefaults.Postgres;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using static EventDriven.Transactions.Domain.LedgerEvents;

namespace EventDriven.Transactions.Transfers;

/// <summary>
/// Keeps the table of transfers under way (and <see cref="TransfersUnderWay"/>, its copy in memory) from the ledger
/// events themselves: a catch-up subscription on <c>$all</c>, filtered to ledger streams, from its own saved position.
/// A debit inserts its transfer, a completion or refund deletes it, each in one PostgreSQL transaction with the position
/// after it, so after a crash the table and the position agree and the events after it are read again (an insert that
/// exists and a delete of nothing change nothing). One instance tracks at a time (an advisory lock): two readers at
/// different places could undo each other's work.
/// </summary>
public sealed partial class TransfersUnderWayTracker(
    KurrentDBClient client,
    NpgsqlDataSource database,
    TransactionsServices.TransactionsDatabase connection,
    TransfersUnderWay index,
    TimeProvider time,
    IOptions<TransfersUnderWayOptions> options,
    ILogger<TransfersUnderWayTracker> logger) : BackgroundService
{
    public const long LeadershipLockKey = 0x556e64657257; // "UnderW"
    private readonly TransfersUnderWayOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresLeadership.LeadWhileRunningAsync(connection.ConnectionString, LeadershipLockKey, TrackAsync,
            exception => LogFailed(logger, exception), _options.RetryDelay, stoppingToken);

    /// <summary>Tracks from the saved position until cancelled or until a read or write fails; the caller starts again.</summary>
    public async Task TrackAsync(CancellationToken cancellationToken)
    {
        var (transfers, position) = await LoadAsync(cancellationToken);
        index.Start(transfers);
        try
        {
            using var subscription = client.SubscribeToAll(position is { } after ? FromAll.After(after) : FromAll.Start,
                filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(LedgerStore.StreamPrefix)), cancellationToken: cancellationToken);
            Position? unsaved = null;
            var savedAt = time.GetTimestamp();
            await foreach (var message in subscription.Messages.WithCancellation(cancellationToken))
            {
                switch (message)
                {
                    case StreamMessage.Event { ResolvedEvent: var resolved }:
                        var at = resolved.OriginalPosition!.Value;
                        if (await ApplyAsync(LedgerEventSerializer.Deserialize(resolved.Event), at, cancellationToken))
                        {
                            (unsaved, savedAt) = (null, time.GetTimestamp());
                        }
                        else
                        {
                            unsaved = at;
                        }

                        break;
                    case StreamMessage.AllStreamCheckpointReached reached:
                        unsaved = reached.Position;
                        break;
                }

                // Events that start or end no transfer only move the position: saved now and then, read again at worst.
                if (unsaved is { } moved && time.GetElapsedTime(savedAt) >= _options.CheckpointInterval)
                {
                    await SaveAsync(moved, null, cancellationToken);
                    (unsaved, savedAt) = (null, time.GetTimestamp());
                }
            }
        }
        finally
        {
            index.Stop();
        }
    }

    /// <summary>A debit, completion or refund changes the table (with the position) and then the index; true if it did.</summary>
    private async Task<bool> ApplyAsync(RecordedLedgerEvent recorded, Position at, CancellationToken cancellationToken)
    {
        switch (recorded.Event)
        {
            case TransferDebited e:
                var transfer = new TransferUnderWay(e.TransactionId, recorded.AccountId, e.ToAccountId, e.Amount, e.Currency, recorded.OccurredAt);
                await SaveAsync(at, batch => batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                    INSERT INTO transfers_under_way (from_account_id, transaction_id, to_account_id, amount, currency, started_at)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                    """)
                {
                    Parameters =
                    {
                        new() { Value = transfer.FromAccountId }, new() { Value = transfer.TransactionId }, new() { Value = transfer.ToAccountId },
                        new() { Value = transfer.Amount }, new() { Value = transfer.Currency }, new() { Value = transfer.StartedAt },
                    },
                }), cancellationToken);
                index.Started(transfer);
                return true;
            case TransferCompleted or TransferRefunded:
                var transactionId = ((Domain.TransactionStep)recorded.Event).TransactionId;
                await SaveAsync(at, batch => batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    "DELETE FROM transfers_under_way WHERE from_account_id = $1 AND transaction_id = $2")
                {
                    Parameters = { new() { Value = recorded.AccountId }, new() { Value = transactionId } },
                }), cancellationToken);
                index.Ended(recorded.AccountId, transactionId);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The table's change, if any, and the position after it, in one transaction.</summary>
    private async Task SaveAsync(Position position, Action<NpgsqlBatch>? change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        change?.Invoke(batch);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO transfers_under_way_position (id, commit_position, prepare_position, updated_at) VALUES (true, $1, $2, now())
            ON CONFLICT (id) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position, updated_at = now()
            """)
        {
            Parameters = { new() { Value = (decimal)position.CommitPosition }, new() { Value = (decimal)position.PreparePosition } },
        });
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The table and the position it is at, read together.</summary>
    private async Task<(List<TransferUnderWay> Transfers, Position? Position)> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var transfers = new List<TransferUnderWay>();
        await using (var command = new NpgsqlCommand(
            "SELECT transaction_id, from_account_id, to_account_id, amount, currency, started_at FROM transfers_under_way", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                transfers.Add(new(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetDecimal(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        Position? position = null;
        await using (var command = new NpgsqlCommand("SELECT commit_position, prepare_position FROM transfers_under_way_position", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                position = new Position((ulong)reader.GetDecimal(0), (ulong)reader.GetDecimal(1));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (transfers, position);
    }

    [LoggerMessage(LogLevel.Warning, "Tracking the transfers under way stopped; resuming from the saved position")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
