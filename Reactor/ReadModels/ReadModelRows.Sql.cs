using EventDriven.Contracts.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace EventDriven.Reactor.ReadModels;

/// <summary>The read models' rows to and from their tables: one place for column lists, for single rows and bulk copies.</summary>
public static class ReadModelRowsSql
{
    public const string OverviewColumns =
        "account_id, owner_name, city, country, status, currency, balance, deposits, withdrawals, transfers_in, transfers_out, last_activity, account_version, ledger_version, owner";

    public const string HistoryColumns = "account_id, version, event_id, type, transaction_id, amount, currency, balance_after, counterparty, occurred_at";

    public const string TotalsColumns = "day, currency, deposited, withdrawn, transferred, movements";

    public static AccountOverview ReadOverview(NpgsqlDataReader r) => new(
        r.GetGuid(0), Text(r, 1), Text(r, 2), Text(r, 3), r.IsDBNull(4) ? null : Enum.Parse<AccountStatus>(r.GetString(4)), Text(r, 5),
        r.GetDecimal(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.GetInt64(12), r.GetInt64(13), Text(r, 14));

    public static HistoryLine ReadHistory(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetInt64(1), r.GetGuid(2), r.GetString(3), r.GetGuid(4), r.GetDecimal(5), r.GetString(6), r.GetDecimal(7),
        r.IsDBNull(8) ? null : r.GetGuid(8), r.GetFieldValue<DateTimeOffset>(9));

    public static DailyTotal ReadTotal(NpgsqlDataReader r) => new(
        r.GetFieldValue<DateOnly>(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4), r.GetInt32(5));

    public static object?[] Values(AccountOverview o) =>
        [o.AccountId, o.OwnerName, o.City, o.Country, o.Status?.ToString(), o.Currency, o.Balance, o.Deposits, o.Withdrawals, o.TransfersIn, o.TransfersOut, o.LastActivity, o.AccountVersion, o.LedgerVersion, o.Owner];

    public static object?[] Values(HistoryLine h) =>
        [h.AccountId, h.Version, h.EventId, h.Type, h.TransactionId, h.Amount, h.Currency, h.BalanceAfter, h.Counterparty, h.OccurredAt];

    public static object?[] Values(DailyTotal t) => [t.Day, t.Currency, t.Deposited, t.Withdrawn, t.Transferred, t.Movements];

    /// <summary>Parameters for <paramref name="values"/>, typed so that nulls need no guessing.</summary>
    public static void AddParameters(NpgsqlParameterCollection parameters, object?[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown },
                _ => new NpgsqlParameter { Value = value },
            });
        }
    }

    /// <summary>Writes rows with COPY (binary): how a rebuild fills a new generation's table.</summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string table, string columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await import.StartRowAsync(cancellationToken);
            foreach (var value in row)
            {
                await WriteAsync(import, value, cancellationToken);
            }
        }

        await import.CompleteAsync(cancellationToken);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter import, object? value, CancellationToken cancellationToken) => value switch
    {
        null => import.WriteNullAsync(cancellationToken),
        Guid g => import.WriteAsync(g, NpgsqlDbType.Uuid, cancellationToken),
        string s => import.WriteAsync(s, NpgsqlDbType.Text, cancellationToken),
        decimal d => import.WriteAsync(d, NpgsqlDbType.Numeric, cancellationToken),
        int i => import.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken),
        long l => import.WriteAsync(l, NpgsqlDbType.Bigint, cancellationToken),
        DateTimeOffset t => import.WriteAsync(t, NpgsqlDbType.TimestampTz, cancellationToken),
        DateOnly day => import.WriteAsync(day, NpgsqlDbType.Date, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.GetType().Name, "No column type for this value."),
    };

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
