using System.Text.Json;
using EventDriven.Accounts.Domain;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using Npgsql;

namespace EventDriven.Accounts.Storage;

/// <summary>Reads of the <c>accounts</c> table. Writes happen only in <see cref="Features.AccountCommandHandler"/>'s transactions.</summary>
public sealed class AccountStore(NpgsqlDataSource dataSource)
{
    public async Task<Account?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM accounts WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? Deserialize(json) : null;
    }

    /// <summary>
    /// A page of accounts by status, owner's name and currency; only <paramref name="ownedBy"/>'s accounts when given (a
    /// customer's list), every account when null (an operator's).
    /// </summary>
    public async Task<(IReadOnlyList<Account> Items, long Total)> ListAsync(
        AccountStatus? status, string? owner, string? currency, string? ownedBy, int page, int pageSize, CancellationToken cancellationToken)
    {
        const string where = """
            WHERE ($1::text IS NULL OR status = $1)
              AND ($2::text IS NULL OR lower(owner_name) LIKE '%' || lower($2) || '%')
              AND ($3::text IS NULL OR currency = $3)
              AND ($4::text IS NULL OR owner = $4)
            """;
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Filtered($"SELECT count(*) FROM accounts {where}"));
        batch.BatchCommands.Add(Filtered($"SELECT state FROM accounts {where} ORDER BY owner_name, id LIMIT $5 OFFSET $6", pageSize, (page - 1) * pageSize));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var items = new List<Account>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Deserialize(reader.GetString(0)));
        }

        return (items, total);

        NpgsqlBatchCommand Filtered(string sql, params object[] more)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new() { Value = (object?)status?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = (object?)currency ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new() { Value = (object?)ownedBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            foreach (var value in more)
            {
                command.Parameters.Add(new() { Value = value });
            }

            return command;
        }
    }

    /// <summary>Up to <paramref name="count"/> accounts after <paramref name="after"/> in id order (keyset paging: a page never repeats or skips one, whatever is opened meanwhile).</summary>
    public async Task<IReadOnlyList<Account>> PageAsync(Guid? after, int count, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT state FROM accounts WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2");
        command.Parameters.Add(new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<Account>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(Deserialize(reader.GetString(0)));
        }

        return accounts;
    }

    /// <summary>
    /// Every account as of one consistent moment, with the WAL position that moment corresponds to: a consumer that
    /// loads this and then applies the account topics' events with a higher version misses nothing.
    /// </summary>
    public async Task<AccountsExport> ExportAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        string walPosition;
        DateTimeOffset takenAt;
        await using (var position = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text, now()", connection, transaction))
        await using (var reader = await position.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (walPosition, takenAt) = (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
        }

        var accounts = new List<AccountSnapshot>();
        await using (var all = new NpgsqlCommand("SELECT state FROM accounts ORDER BY id", connection, transaction))
        await using (var reader = await all.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                accounts.Add(Deserialize(reader.GetString(0)).ToSnapshot());
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new AccountsExport(walPosition, takenAt, accounts);
    }

    internal static Account Deserialize(string json) => JsonSerializer.Deserialize<Account>(json, ContractJson.Options)!;

    internal static string Serialize(Account account) => JsonSerializer.Serialize(account, ContractJson.Options);
}
