using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
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
/// Every copy is version-gated: an older change never overwrites a newer one.
/// </summary>
public sealed class StyleHandlers(NpgsqlDataSource dataSource, IHttpClientFactory http, StyleStats stats)
    : IConsumer<AccountNotificationReceived>, IConsumer<AccountDeltaReceived>, IConsumer<AccountStateReceived>
{
    public const string AccountApi = "account";

    public async Task Consume(ConsumeContext<AccountNotificationReceived> context)
    {
        var notification = context.Message.Event;
        var bytes = (long)context.Message.Bytes;
        var calls = 0;
        if (await HeldVersionAsync(EventStyle.Notification, notification.AccountId, context.CancellationToken) < notification.Version)
        {
            using var response = await http.CreateClient(AccountApi).GetAsync(new Uri($"/accounts/{notification.AccountId}", UriKind.Relative), context.CancellationToken);
            calls = 1;
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsByteArrayAsync(context.CancellationToken);
                bytes += body.Length;
                var account = JsonSerializer.Deserialize<AccountSnapshot>(body, ContractJson.Options)!;
                await SaveAsync(EventStyle.Notification, account.AccountId, account.Version, JsonSerializer.Serialize(account, ContractJson.Options), context.CancellationToken);
            }
        }

        stats.Record(EventStyle.Notification, bytes, calls);
    }

    public async Task Consume(ConsumeContext<AccountDeltaReceived> context)
    {
        var delta = context.Message.Event;
        var copy = await LoadAsync(EventStyle.Delta, delta.AccountId, context.CancellationToken);
        if (copy.Version < delta.Version)
        {
            // The copy is the account's fields by dotted path, as the deltas name them.
            var fields = copy.State is null ? new JsonObject() : JsonNode.Parse(copy.State)!.AsObject();
            foreach (var change in delta.Changes)
            {
                fields[change.Field] = change.New;
            }

            await SaveAsync(EventStyle.Delta, delta.AccountId, delta.Version, fields.ToJsonString(), context.CancellationToken);
        }

        stats.Record(EventStyle.Delta, context.Message.Bytes);
    }

    public async Task Consume(ConsumeContext<AccountStateReceived> context)
    {
        var changed = context.Message.Event;
        await SaveAsync(EventStyle.State, changed.AccountId, changed.Version, JsonSerializer.Serialize(changed.After, ContractJson.Options), context.CancellationToken);
        stats.Record(EventStyle.State, context.Message.Bytes);
    }

    private async Task<long> HeldVersionAsync(EventStyle style, Guid accountId, CancellationToken cancellationToken) =>
        (await LoadAsync(style, accountId, cancellationToken)).Version;

    private async Task<(long Version, string? State)> LoadAsync(EventStyle style, Guid accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT version, state::text FROM account_copies WHERE style = $1 AND account_id = $2");
        command.Parameters.Add(new() { Value = Name(style) });
        command.Parameters.Add(new() { Value = accountId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1)) : (0, null);
    }

    private async Task SaveAsync(EventStyle style, Guid accountId, long version, string state, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO account_copies (style, account_id, version, state) VALUES ($1, $2, $3, $4::jsonb)
            ON CONFLICT (style, account_id) DO UPDATE SET version = excluded.version, state = excluded.state
            WHERE account_copies.version < excluded.version
            """);
        command.Parameters.Add(new() { Value = Name(style) });
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = state });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string Name(EventStyle style) => style.ToString().ToLowerInvariant();
}
