using System.Text.Json;
using Confluent.Kafka;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Reconciliation;
using EventDriven.ServiceDefaults.Lineage;
using EventDriven.Transactions.Domain;
using Npgsql;

namespace EventDriven.Transactions.AccountCopy;

/// <summary>
/// Transactions' own copy of account state (event-carried state transfer). Writes are version-gated: a state older
/// than the one held is ignored, so replays, duplicates and overlaps between a snapshot and the topic change nothing.
/// </summary>
public sealed class AccountCopyStore(NpgsqlDataSource dataSource)
{
    private const string Upsert = """
        INSERT INTO account_copy (id, currency, status, version, state, updated_at, owner) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
        ON CONFLICT (id) DO UPDATE SET currency = excluded.currency, status = excluded.status, version = excluded.version,
            state = excluded.state, updated_at = excluded.updated_at, owner = excluded.owner
        WHERE account_copy.version < excluded.version
        """;

    /// <summary>Whether a row can hold the state: an id, a three-letter currency (its column is char(3)), a known status, a version.</summary>
    public static bool Holds(AccountSnapshot state) =>
        state.AccountId != Guid.Empty && state.Currency is { Length: 3 } currency && currency.All(char.IsAsciiLetterUpper)
        && Enum.IsDefined(state.Status) && state.Version >= 1;

    public async Task<AccountView?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT currency, status, version, owner FROM account_copy WHERE id = $1");
        command.Parameters.Add(new() { Value = accountId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AccountView(accountId, reader.GetString(0), Enum.Parse<AccountStatus>(reader.GetString(1)), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    /// <summary>Up to <paramref name="count"/> copied accounts after <paramref name="after"/> in id order (keyset paging), for reconciliation.</summary>
    public async Task<IReadOnlyList<AccountCopyEntry>> PageAsync(Guid? after, int count, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, currency, status, version FROM account_copy WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2");
        command.Parameters.Add(new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AccountCopyEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AccountCopyEntry(reader.GetGuid(0), reader.GetString(1), Enum.Parse<AccountStatus>(reader.GetString(2)), reader.GetInt64(3)));
        }

        return entries;
    }

    /// <summary>
    /// Applies account states, the offsets they were read up to, and the lineage of the messages they came from, in one
    /// transaction: the copy, its offsets and its lineage records exist together or not at all.
    /// </summary>
    public async Task ApplyAsync(
        IReadOnlyCollection<AccountSnapshot> accounts, IReadOnlyCollection<TopicPartitionOffset> nextOffsets, CancellationToken cancellationToken,
        IReadOnlyCollection<AppliedEvent>? lineage = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var account in accounts)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(Upsert)
            {
                Parameters =
                {
                    new() { Value = account.AccountId },
                    new() { Value = account.Currency },
                    new() { Value = account.Status.ToString() },
                    new() { Value = account.Version },
                    new() { Value = JsonSerializer.Serialize(account, ContractJson.Options) },
                    new() { Value = account.UpdatedAt },
                    new() { Value = (object?)account.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                },
            });
        }

        foreach (var offset in nextOffsets)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO account_copy_offsets (topic, partition, next_offset) VALUES ($1, $2, $3)
                ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset
                """)
            {
                Parameters = { new() { Value = offset.Topic }, new() { Value = offset.Partition.Value }, new() { Value = offset.Offset.Value } },
            });
        }

        LineageStore.AddApplications(batch, lineage ?? []);
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Where the copy has read <paramref name="topic"/> up to: the next offset of each partition; empty when never read.</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> LoadOffsetsAsync(string topic, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT partition, next_offset FROM account_copy_offsets WHERE topic = $1");
        command.Parameters.Add(new() { Value = topic });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var offsets = new List<TopicPartitionOffset>();
        while (await reader.ReadAsync(cancellationToken))
        {
            offsets.Add(new TopicPartitionOffset(topic, reader.GetInt32(0), reader.GetInt64(1)));
        }

        return offsets;
    }
}
