using System.Net;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Reactor.Pipeline;
using MassTransit;
using Npgsql;

namespace EventDriven.Reactor.Styles;

/// <summary>
/// The same account changes consumed three ways, each into its own copy, so their costs can be compared:
/// a notification says only what happened, so the details are fetched from Account's API (once per account version);
/// a delta carries the changed fields, patched into the copy; a fat event carries the whole state, which replaces it.
/// Every copy is version-gated (an older change never overwrites a newer one) and kept as <see cref="AccountFields"/>,
/// so the three can be compared field by field.
/// </summary>
public sealed class StyleHandlers(NpgsqlDataSource dataSource, IHttpClientFactory http, StyleStats stats)
    : IConsumer<AccountNotificationReceived>, IConsumer<AccountDeltaReceived>, IConsumer<AccountStateReceived>
{
    public const string AccountApi = "account";

    public async Task Consume(ConsumeContext<AccountNotificationReceived> context)
    {
        var notification = context.Message.Event;
        var fetched = (Calls: 0, Bytes: 0L);
        if ((await LoadAsync(EventStyle.Notification, notification.AccountId, context.CancellationToken)).Version < notification.Version)
        {
            fetched = await FetchAsync(EventStyle.Notification, notification.AccountId, context.CancellationToken);
        }

        stats.Record(EventStyle.Notification, context.Message.Bytes + fetched.Bytes, fetched.Calls);
    }

    public async Task Consume(ConsumeContext<AccountDeltaReceived> context)
    {
        var delta = context.Message.Event;
        var copy = await LoadAsync(EventStyle.Delta, delta.AccountId, context.CancellationToken);
        var fetched = (Calls: 0, Bytes: 0L);
        if (delta.Version == copy.Version + 1)
        {
            foreach (var change in delta.Changes)
            {
                if (change.New is null)
                {
                    copy.Fields.Remove(change.Field);
                }
                else
                {
                    copy.Fields[change.Field] = change.New;
                }
            }

            await SaveAsync(EventStyle.Delta, delta.AccountId, delta.Version, copy.Fields, context.CancellationToken);
        }
        else if (delta.Version > copy.Version)
        {
            // A gap: this copy missed a change (its delta dead-lettered, or no longer on the topic when this consumer
            // started). Patching would leave that change out for good, so the account is fetched whole instead.
            fetched = await FetchAsync(EventStyle.Delta, delta.AccountId, context.CancellationToken);
        }

        stats.Record(EventStyle.Delta, context.Message.Bytes + fetched.Bytes, fetched.Calls);
    }

    public async Task Consume(ConsumeContext<AccountStateReceived> context)
    {
        var changed = context.Message.Event;
        await SaveAsync(EventStyle.State, changed.AccountId, changed.Version, AccountFields.Of(changed.After), context.CancellationToken);
        stats.Record(EventStyle.State, context.Message.Bytes);
    }

    /// <summary>The account from Account's API into the style's copy: one call, and the response's bytes.</summary>
    private async Task<(int Calls, long Bytes)> FetchAsync(EventStyle style, Guid accountId, CancellationToken cancellationToken)
    {
        using var response = await http.CreateClient(AccountApi).GetAsync(new Uri($"/accounts/{accountId}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (1, 0);
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var account = JsonSerializer.Deserialize<AccountSnapshot>(body, ContractJson.Options)!;
        await SaveAsync(style, accountId, account.Version, AccountFields.Of(account), cancellationToken);
        return (1, body.Length);
    }

    private async Task<(long Version, SortedDictionary<string, string> Fields)> LoadAsync(EventStyle style, Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, state::text FROM account_copies WHERE style = $1 AND account_id = $2");
        command.Parameters.Add(new() { Value = style.Name() });
        command.Parameters.Add(new() { Value = accountId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0), ReadFields(reader.GetString(1)))
            : (0, new SortedDictionary<string, string>(StringComparer.Ordinal));
    }

    private async Task SaveAsync(EventStyle style, Guid accountId, long version, SortedDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO account_copies (style, account_id, version, state) VALUES ($1, $2, $3, $4::jsonb)
            ON CONFLICT (style, account_id) DO UPDATE SET version = excluded.version, state = excluded.state
            WHERE account_copies.version < excluded.version
            """);
        command.Parameters.Add(new() { Value = style.Name() });
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(fields) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static SortedDictionary<string, string> ReadFields(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!, StringComparer.Ordinal);
}
