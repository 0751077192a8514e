using EventDriven.Contracts.Accounts;
using EventDriven.Reactor.Styles;
using Npgsql;
using NpgsqlTypes;
using static EventDriven.Reactor.ReadModels.ReadModelRowsSql;

namespace EventDriven.Reactor.ReadModels;

/// <summary>
/// What the read side answers, as queries over the read models' views (each on its live generation), the style
/// copies and the read models' own register. The API asks; only this class knows the SQL.
/// </summary>
public sealed class ReadModelQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Accounts by most recent activity, a page at a time, optionally with one status; only <paramref name="owner"/>'s
    /// when given (a customer's list), everyone's when null (an operator's).
    /// </summary>
    public async Task<IReadOnlyList<AccountOverview>> OverviewsAsync(AccountStatus? status, string? owner, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {OverviewColumns} FROM account_overview WHERE ($1::text IS NULL OR status = $1) AND ($4::text IS NULL OR owner = $4)
            ORDER BY last_activity DESC NULLS LAST, account_id LIMIT $2 OFFSET $3
            """);
        command.Parameters.Add(new() { Value = (object?)status?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = pageSize });
        command.Parameters.Add(new() { Value = (page - 1) * pageSize });
        command.Parameters.Add(new() { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await ReadAllAsync(command, ReadOverview, cancellationToken);
    }

    public async Task<AccountOverview?> OverviewAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {OverviewColumns} FROM account_overview WHERE account_id = $1");
        command.Parameters.Add(new() { Value = accountId });
        return (await ReadAllAsync(command, ReadOverview, cancellationToken)) is [var overview] ? overview : null;
    }

    /// <summary>Whose the account is (the owner's subject), as the overview knows it; null when unknown.</summary>
    public async Task<string?> OwnerAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT owner FROM account_overview WHERE account_id = $1");
        command.Parameters.Add(new() { Value = accountId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>An account's ledger movements, newest first; with <paramref name="before"/>, only those at lower versions (a page further back).</summary>
    public async Task<IReadOnlyList<HistoryLine>> HistoryAsync(Guid accountId, int count, long? before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {HistoryColumns} FROM transaction_history WHERE account_id = $1 AND version < $3 ORDER BY version DESC LIMIT $2");
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = count });
        command.Parameters.Add(new() { Value = before ?? long.MaxValue });
        return await ReadAllAsync(command, ReadHistory, cancellationToken);
    }

    /// <summary>Totals per day and currency, newest day first, at most a year of them.</summary>
    public async Task<IReadOnlyList<DailyTotal>> TotalsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {TotalsColumns} FROM daily_totals ORDER BY day DESC, currency LIMIT 366");
        return await ReadAllAsync(command, ReadTotal, cancellationToken);
    }

    /// <summary>Each event style's copy of an account (none if no style has seen it).</summary>
    public async Task<IReadOnlyList<AccountCopy>> CopiesAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT style, version, state::text FROM account_copies WHERE account_id = $1 ORDER BY style");
        command.Parameters.Add(new() { Value = accountId });
        return await ReadAllAsync(command, r => new AccountCopy(Enum.Parse<EventStyle>(r.GetString(0), ignoreCase: true), r.GetInt64(1), StyleHandlers.ReadFields(r.GetString(2))), cancellationToken);
    }

    /// <summary>The read models, each with its live generation and what its last rebuild took.</summary>
    public async Task<IReadOnlyList<ReadModelInfo>> ReadModelsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT name, generation, rebuilt_at, rebuild_events, rebuild_events_per_second FROM read_models ORDER BY name");
        return await ReadAllAsync(command, r => new ReadModelInfo(r.GetString(0), r.GetInt32(1),
            r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetDouble(4)), cancellationToken);
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

/// <summary>One style's copy of an account: the version it reflects and the account's fields by dotted path.</summary>
public sealed record AccountCopy(EventStyle Style, long Version, IReadOnlyDictionary<string, string> Fields);

public sealed record ReadModelInfo(string Name, int Generation, DateTimeOffset? RebuiltAt, long? RebuildEvents, double? RebuildEventsPerSecond);
