using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Styles;
using Npgsql;
using static EventDriven.Reactor.ReadModels.ReadModelRowsSql;

namespace EventDriven.Reactor.Reconciliation;

/// <summary>What one account's rows in <c>transaction_history</c> add up to: how many lines, and the balance after the newest.</summary>
public sealed record HistorySummary(Guid AccountId, int Entries, decimal LatestBalance);

/// <summary>What <c>daily_totals</c> adds up to for one currency over all days.</summary>
public sealed record CurrencyMovements(string Currency, decimal Deposited, decimal Withdrawn);

/// <summary>Everything Reactor itself holds of accounts and ledgers, read as of one moment.</summary>
public sealed record ReactorCopies(
    IReadOnlyList<AccountOverview> Overviews,
    IReadOnlyList<HistorySummary> Histories,
    IReadOnlyList<CurrencyMovements> DailyTotals,
    IReadOnlyList<StyleCopy> StyleCopies);

/// <summary>One event style's copy of one account: its version and the account's fields by dotted path.</summary>
public sealed record StyleCopy(Guid AccountId, EventStyle Style, long Version, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// Reads Reactor's read models (through their views, so the live generation) and the three style copies in one
/// read-only snapshot transaction: the copies agree with each other as of one moment, and nothing is locked (PostgreSQL
/// readers block no writer), so the consumer carries on while reconciliation reads.
/// </summary>
public sealed class ReactorCopiesReader(NpgsqlDataSource dataSource)
{
    public async Task<ReactorCopies> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        }

        var overviews = await ReadAsync(connection, transaction, $"SELECT {OverviewColumns} FROM account_overview", ReadOverview, cancellationToken);
        var histories = await ReadAsync(connection, transaction, """
            SELECT DISTINCT ON (account_id) account_id, count(*) OVER (PARTITION BY account_id), balance_after
            FROM transaction_history ORDER BY account_id, version DESC
            """, r => new HistorySummary(r.GetGuid(0), (int)r.GetInt64(1), r.GetDecimal(2)), cancellationToken);
        var totals = await ReadAsync(connection, transaction,
            "SELECT currency, sum(deposited), sum(withdrawn) FROM daily_totals GROUP BY currency ORDER BY currency",
            r => new CurrencyMovements(r.GetString(0), r.GetDecimal(1), r.GetDecimal(2)), cancellationToken);
        var copies = await ReadAsync(connection, transaction, "SELECT style, account_id, version, state::text FROM account_copies ORDER BY account_id, style",
            r => new StyleCopy(r.GetGuid(1), Enum.Parse<EventStyle>(r.GetString(0), ignoreCase: true), r.GetInt64(2), StyleHandlers.ReadFields(r.GetString(3))),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ReactorCopies(overviews, histories, totals, copies);
    }

    private static async Task<List<T>> ReadAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
