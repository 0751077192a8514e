using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using Npgsql;
using static EventDriven.Reactor.ReadModels.ReadModelRowsSql;

namespace EventDriven.Reactor.ReadModels;

/// <summary>
/// Applies one event to every read model it concerns, in one PostgreSQL transaction with the inbox records that make it
/// count once: a duplicate or a redelivery finds its event id in the inbox and changes nothing; an older version than
/// the row holds never overwrites it (see <see cref="AccountOverview"/>). The live generations are read in that
/// transaction under <see cref="ReadModelSchema.GenerationLock"/> (shared), which a rebuild's swap takes exclusively: a
/// write lands in the generation that is live when it commits, whichever instance makes it.
/// </summary>
public sealed class Projector(NpgsqlDataSource dataSource)
{
    /// <summary>Applies the account's new state; the overview row it made, or null when the event was applied before.</summary>
    public Task<AccountOverview?> ApplyAsync(AccountStateChanged changed, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction, live) => ApplyOverviewAsync(connection, transaction, live, changed.EventId, changed.AccountId, row => row.Apply(changed), cancellationToken), cancellationToken);

    /// <summary>
    /// Applies a ledger event to the overview, the history and the daily totals; the overview row it made (its owner is
    /// whom the push channel tells), or null when the event was applied before.
    /// </summary>
    public Task<AccountOverview?> ApplyAsync(LedgerEvent @event, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction, live) =>
        {
            var row = await ApplyOverviewAsync(connection, transaction, live, @event.EventId, @event.AccountId, held => held.Apply(@event), cancellationToken);
            if (HistoryLine.From(@event) is { } line && await InboxAsync(connection, transaction, live, ReadModel.TransactionHistory, @event.EventId, cancellationToken) is { } history)
            {
                await ExecuteAsync(connection, transaction, $"INSERT INTO {history} ({HistoryColumns}) VALUES ({Placeholders(10)}) ON CONFLICT DO NOTHING", Values(line), cancellationToken);
            }

            if (DailyTotal.KeyOf(@event) is var (day, currency) && await InboxAsync(connection, transaction, live, ReadModel.DailyTotals, @event.EventId, cancellationToken) is { } totals)
            {
                var held = await LockRowAsync(connection, transaction, totals, TotalsColumns, Values(new DailyTotal(day, currency, 0m, 0m, 0m, 0)),
                    "day = $1 AND currency = $2", [day, currency], ReadTotal, cancellationToken);
                var total = held.Apply(@event);
                await ExecuteAsync(connection, transaction, $"""
                    INSERT INTO {totals} ({TotalsColumns}) VALUES ({Placeholders(6)})
                    ON CONFLICT (day, currency) DO UPDATE SET deposited = excluded.deposited, withdrawn = excluded.withdrawn,
                        transferred = excluded.transferred, movements = excluded.movements
                    """, Values(total), cancellationToken);
            }

            return row;
        }, cancellationToken);

    private static async Task<AccountOverview?> ApplyOverviewAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyDictionary<ReadModel, int> live, Guid eventId, Guid accountId,
        Func<AccountOverview, AccountOverview> apply, CancellationToken cancellationToken)
    {
        if (await InboxAsync(connection, transaction, live, ReadModel.AccountOverview, eventId, cancellationToken) is not { } table)
        {
            return null;
        }

        var held = await LockRowAsync(connection, transaction, table, OverviewColumns, Values(AccountOverview.Empty(accountId)),
            "account_id = $1", [accountId], ReadOverview, cancellationToken);
        var row = apply(held);
        await ExecuteAsync(connection, transaction, $"""
            INSERT INTO {table} ({OverviewColumns}) VALUES ({Placeholders(15)})
            ON CONFLICT (account_id) DO UPDATE SET owner_name = excluded.owner_name, city = excluded.city, country = excluded.country,
                status = excluded.status, currency = excluded.currency, balance = excluded.balance, deposits = excluded.deposits,
                withdrawals = excluded.withdrawals, transfers_in = excluded.transfers_in, transfers_out = excluded.transfers_out,
                last_activity = excluded.last_activity, account_version = excluded.account_version, ledger_version = excluded.ledger_version,
                owner = excluded.owner
            """, Values(row), cancellationToken);
        return row;
    }

    /// <summary>
    /// The row, locked for this transaction; created empty first when missing, so that two writers of a new row (two
    /// Reactor instances, say) take turns on it instead of one overwriting the other.
    /// </summary>
    private static async Task<T> LockRowAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string columns, object?[] empty, string key, object[] keyValues,
        Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, $"INSERT INTO {table} ({columns}) VALUES ({Placeholders(empty.Length)}) ON CONFLICT DO NOTHING", empty, cancellationToken);
        await using var load = new NpgsqlCommand($"SELECT {columns} FROM {table} WHERE {key} FOR UPDATE", connection, transaction);
        AddParameters(load.Parameters, keyValues);
        await using var reader = await load.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : throw new InvalidOperationException($"The row of {table} vanished under its lock.");
    }

    /// <summary>Records the event in the read model's inbox; its live table when new, null when it was applied before.</summary>
    private static async Task<string?> InboxAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyDictionary<ReadModel, int> live, ReadModel model, Guid eventId, CancellationToken cancellationToken)
    {
        var generation = live[model];
        await using var inbox = new NpgsqlCommand("INSERT INTO inbox (model, generation, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection, transaction)
        {
            Parameters = { new() { Value = ReadModelSchema.Name(model) }, new() { Value = generation }, new() { Value = eventId } },
        };
        return await inbox.ExecuteNonQueryAsync(cancellationToken) == 1 ? ReadModelSchema.Table(model, generation) : null;
    }

    private async Task<T> InTransactionAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, IReadOnlyDictionary<ReadModel, int>, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction, await LiveGenerationsAsync(connection, transaction, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// The live generations, read after taking <see cref="ReadModelSchema.GenerationLock"/> shared until the commit. One
    /// round trip: PostgreSQL runs a batch's statements in order, and (read committed) the second takes its snapshot only
    /// after the first got the lock, so it sees a swap that committed while this transaction waited.
    /// </summary>
    private static async Task<IReadOnlyDictionary<ReadModel, int>> LiveGenerationsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock_shared($1)") { Parameters = { new() { Value = ReadModelSchema.GenerationLock } } },
                new NpgsqlBatchCommand("SELECT name, generation FROM read_models"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var live = new Dictionary<ReadModel, int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            live[ReadModelSchema.All.Single(m => ReadModelSchema.Name(m) == reader.GetString(0))] = reader.GetInt32(1);
        }

        return live;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        AddParameters(command.Parameters, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Placeholders(int count) => string.Join(", ", Enumerable.Range(1, count).Select(i => $"${i}"));
}
