using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Outbox;
using EventDriven.Accounts.Storage;
using Npgsql;

namespace EventDriven.Accounts.Features;

/// <summary>
/// Runs a command as one PostgreSQL transaction: look up the idempotency key and load the account (locked), check
/// <c>If-Match</c>, decide, then write the account row, its outbox messages and the idempotency record together. A
/// refusal writes nothing. A repeated <c>Idempotency-Key</c> gets the original response without a second effect.
/// Three round trips: the key and the row (one batch, with the transaction's start), the writes (one batch), the commit.
/// </summary>
public sealed class AccountCommandHandler(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<CommandOutcome> ExecuteAsync(AccountCommand command, Func<Account?, Decision> decide, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (replay, before) = await LoadAsync(connection, transaction, command, cancellationToken);
        if (replay is not null)
        {
            return replay;
        }

        // Someone else's account is not found, exactly as an unknown one (nothing tells a prober it exists).
        if (!command.Creates && (before is null || !command.Reaches(before)))
        {
            return new CommandOutcome.NotFound();
        }

        if (command.ExpectedVersion is { } expected && before?.Version != expected)
        {
            return new CommandOutcome.PreconditionFailed(before!.Version);
        }

        var decision = decide(before);
        if (decision.IsRefused)
        {
            return new CommandOutcome.Refused(decision.Refusal!);
        }

        var now = time.GetUtcNow();
        var after = before;
        var messages = new List<OutboxMessage>();
        foreach (var @event in decision.Events)
        {
            var previous = after;
            after = Account.Evolve(after, @event, now);
            messages.AddRange(OutboxMessage.ForEvent(@event, previous, after, Guid.CreateVersion7(now), now, command.Actor));
        }

        if (after is null)
        {
            return new CommandOutcome.NotFound();
        }

        var outcome = new CommandOutcome.Done(after, Created: command.Creates);
        await using var writes = new NpgsqlBatch(connection, transaction);
        if (after != before)
        {
            writes.BatchCommands.Add(Save(after, before));
            OutboxWriter.Add(writes, messages);
        }

        writes.BatchCommands.Add(Remember(command, outcome));
        try
        {
            await writes.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "idempotency_keys_pkey")
        {
            // The same key raced us and won: answer as it was answered.
            await transaction.RollbackAsync(cancellationToken);
            return await FindReplayAsync(command, cancellationToken) ?? throw new InvalidOperationException("The idempotency record vanished.", exception);
        }

        if (after != before && writes.BatchCommands[0].RecordsAffected != 1)
        {
            throw new InvalidOperationException($"Account {after.Id} changed under its row lock.");
        }

        return outcome;
    }

    /// <summary>The stored answer to an earlier request with this key (if any), and the account, locked (unless the command creates it).</summary>
    private static async Task<(CommandOutcome? Replay, Account? Account)> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, AccountCommand command, CancellationToken cancellationToken)
    {
        await using var load = new NpgsqlBatch(connection, transaction) { BatchCommands = { FindReplay(command) } };
        if (!command.Creates)
        {
            load.BatchCommands.Add(new NpgsqlBatchCommand("SELECT state FROM accounts WHERE id = $1 FOR UPDATE") { Parameters = { new() { Value = command.AccountId } } });
        }

        await using var reader = await load.ExecuteReaderAsync(cancellationToken);
        if (await ReadReplayAsync(reader, command, cancellationToken) is { } replay)
        {
            return (replay, null);
        }

        if (command.Creates || !await reader.NextResultAsync(cancellationToken) || !await reader.ReadAsync(cancellationToken))
        {
            return (null, null);
        }

        return (null, AccountStore.Deserialize(reader.GetString(0)));
    }

    private static NpgsqlBatchCommand Save(Account after, Account? before)
    {
        var sql = before is null
            ? "INSERT INTO accounts (id, owner_name, status, currency, state, version, updated_at, owner) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)"
            : "UPDATE accounts SET owner_name = $2, status = $3, currency = $4, state = $5::jsonb, version = $6, updated_at = $7 WHERE id = $1 AND version = $8";
        var save = new NpgsqlBatchCommand(sql)
        {
            Parameters =
            {
                new() { Value = after.Id },
                new() { Value = after.OwnerName },
                new() { Value = after.Status.ToString() },
                new() { Value = after.Currency },
                new() { Value = AccountStore.Serialize(after) },
                new() { Value = after.Version },
                new() { Value = after.UpdatedAt },
            },
        };
        save.Parameters.Add(before is null
            ? new() { Value = (object?)after.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
            : new() { Value = before.Version });

        return save;
    }

    /// <summary>After losing a race for the key: the winner's answer, read on a connection of its own.</summary>
    private async Task<CommandOutcome?> FindReplayAsync(AccountCommand command, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var find = new NpgsqlBatch(connection) { BatchCommands = { FindReplay(command) } };
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        return await ReadReplayAsync(reader, command, cancellationToken);
    }

    private static NpgsqlBatchCommand FindReplay(AccountCommand command) =>
        new("SELECT request_hash, status_code, response FROM idempotency_keys WHERE key_space = $1 AND key = $2")
        {
            Parameters = { new() { Value = KeySpaceName(command.KeySpace) }, new() { Value = command.IdempotencyKey } },
        };

    private static string KeySpaceName(KeySpace space) => space == KeySpace.Event ? "event" : "client";

    /// <summary>The stored answer in the reader's current result; a different request under the same key is refused.</summary>
    private static async Task<CommandOutcome?> ReadReplayAsync(NpgsqlDataReader reader, AccountCommand command, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return reader.GetString(0) == command.RequestHash
            ? new CommandOutcome.Done(AccountStore.Deserialize(reader.GetString(2)), Created: reader.GetInt32(1) == 201)
            : new CommandOutcome.KeyReused();
    }

    private static NpgsqlBatchCommand Remember(AccountCommand command, CommandOutcome.Done outcome) =>
        new("INSERT INTO idempotency_keys (key_space, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)")
        {
            Parameters =
            {
                new() { Value = KeySpaceName(command.KeySpace) },
                new() { Value = command.IdempotencyKey },
                new() { Value = command.RequestHash },
                new() { Value = outcome.Created ? 201 : 200 },
                new() { Value = AccountStore.Serialize(outcome.Account) },
            },
        };
}
