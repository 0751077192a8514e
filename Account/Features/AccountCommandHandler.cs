using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Outbox;
using EventDriven.Accounts.Storage;
using Npgsql;

namespace EventDriven.Accounts.Features;

/// <summary>
/// Runs a command as one PostgreSQL transaction: load the account (locked), check <c>If-Match</c>, decide, then write
/// the account row, its outbox messages and the idempotency record together. A refusal writes nothing. A repeated
/// <c>Idempotency-Key</c> gets the original response without a second effect.
/// </summary>
public sealed class AccountCommandHandler(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<CommandOutcome> ExecuteAsync(AccountCommand command, Func<Account?, Decision> decide, CancellationToken cancellationToken)
    {
        if (await FindReplayAsync(command, cancellationToken) is { } replay)
        {
            return replay;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = command.Creates ? null : await LoadForUpdateAsync(connection, transaction, command.AccountId, cancellationToken);
        if (!command.Creates && before is null)
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
            messages.AddRange(OutboxMessage.ForEvent(@event, previous, after, Guid.CreateVersion7(now), now));
        }

        if (after is null)
        {
            return new CommandOutcome.NotFound();
        }

        if (after != before)
        {
            await SaveAsync(connection, transaction, after, before, cancellationToken);
            await OutboxWriter.AppendAsync(connection, transaction, messages, cancellationToken);
        }

        var outcome = new CommandOutcome.Done(after, Created: command.Creates);
        try
        {
            await RememberAsync(connection, transaction, command, outcome, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "idempotency_keys_pkey")
        {
            // The same key raced us and won: answer as it was answered.
            await transaction.RollbackAsync(cancellationToken);
            return await FindReplayAsync(command, cancellationToken) ?? throw new InvalidOperationException("The idempotency record vanished.", exception);
        }

        return outcome;
    }

    private static async Task<Account?> LoadForUpdateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var load = new NpgsqlCommand("SELECT state FROM accounts WHERE id = $1 FOR UPDATE", connection, transaction) { Parameters = { new() { Value = id } } };
        return await load.ExecuteScalarAsync(cancellationToken) is string json ? AccountStore.Deserialize(json) : null;
    }

    private static async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Account after, Account? before, CancellationToken cancellationToken)
    {
        var sql = before is null
            ? "INSERT INTO accounts (id, owner_name, status, currency, state, version, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)"
            : "UPDATE accounts SET owner_name = $2, status = $3, currency = $4, state = $5::jsonb, version = $6, updated_at = $7 WHERE id = $1 AND version = $8";
        await using var save = new NpgsqlCommand(sql, connection, transaction)
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
        if (before is not null)
        {
            save.Parameters.Add(new() { Value = before.Version });
        }

        if (await save.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"Account {after.Id} changed under its row lock.");
        }
    }

    /// <summary>The stored answer to an earlier request with this key; a different request under the same key is refused.</summary>
    private async Task<CommandOutcome?> FindReplayAsync(AccountCommand command, CancellationToken cancellationToken)
    {
        await using var find = dataSource.CreateCommand("SELECT request_hash, status_code, response FROM idempotency_keys WHERE key = $1");
        find.Parameters.Add(new() { Value = command.IdempotencyKey });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return reader.GetString(0) == command.RequestHash
            ? new CommandOutcome.Done(AccountStore.Deserialize(reader.GetString(2)), Created: reader.GetInt32(1) == 201)
            : new CommandOutcome.KeyReused();
    }

    private static async Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AccountCommand command, CommandOutcome.Done outcome, CancellationToken cancellationToken)
    {
        await using var remember = new NpgsqlCommand(
            "INSERT INTO idempotency_keys (key, request_hash, status_code, response) VALUES ($1, $2, $3, $4)", connection, transaction)
        {
            Parameters =
            {
                new() { Value = command.IdempotencyKey },
                new() { Value = command.RequestHash },
                new() { Value = outcome.Created ? 201 : 200 },
                new() { Value = AccountStore.Serialize(outcome.Account) },
            },
        };
        await remember.ExecuteNonQueryAsync(cancellationToken);
    }
}
