using System.Net;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Reactor.Pipeline;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.ServiceDefaults.Lineage;
using MassTransit;
using Npgsql;

namespace EventDriven.Reactor.Styles;

/// <summary>
/// The same account changes consumed three ways, each into its own copy, so their costs can be compared:
/// a notification says only what happened, so the details are fetched from Account's API (once per account version);
/// a delta carries the changed fields, patched into the copy; a fat event carries the whole state, which replaces it.
/// Every copy is version-gated (an older change never overwrites a newer one) and kept as <see cref="AccountFields"/>,
/// so the three can be compared field by field. A copy that changed is pushed (<see cref="ReadModelChanges"/>, cause
/// <c>style:&lt;name&gt;</c>), so a page can show the three catching up.
/// </summary>
public sealed class StyleHandlers(
    NpgsqlDataSource dataSource, IHttpClientFactory http, StyleStats stats, ReadModelChanges changes, ReadModelQueries queries, TimeProvider time)
    : IConsumer<AccountNotificationReceived>, IConsumer<AccountDeltaReceived>, IConsumer<AccountStateReceived>
{
    public const string AccountApi = "account";

    /// <summary>How long after a change Account's API may still not show it before the message is parked.</summary>
    public static readonly TimeSpan UnreadableFor = TimeSpan.FromMinutes(1);

    public async Task Consume(ConsumeContext<AccountNotificationReceived> context)
    {
        var notification = context.Message.Event;
        var fetched = (Calls: 0, Bytes: 0L, Saved: (long?)null);
        if ((await LoadAsync(EventStyle.Notification, notification.AccountId, context.CancellationToken)).Version < notification.Version)
        {
            fetched = await FetchAsync(EventStyle.Notification, notification.AccountId, notification.Version, notification.OccurredAt, context.CancellationToken);
        }

        stats.Record(EventStyle.Notification, context.Message.Bytes + fetched.Bytes, fetched.Calls);
        if (fetched.Saved is { } version)
        {
            await PushAsync(EventStyle.Notification, notification.AccountId, version, notification.Type, notification.EventId, context);
        }
    }

    public async Task Consume(ConsumeContext<AccountDeltaReceived> context)
    {
        var delta = context.Message.Event;
        var copy = await LoadAsync(EventStyle.Delta, delta.AccountId, context.CancellationToken);
        var fetched = (Calls: 0, Bytes: 0L, Saved: (long?)null);
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

            if (await SaveAsync(EventStyle.Delta, delta.AccountId, delta.Version, copy.Fields, context.CancellationToken))
            {
                fetched.Saved = delta.Version;
            }
        }
        else if (delta.Version > copy.Version)
        {
            // A gap: this copy missed a change (its delta dead-lettered, or no longer on the topic when this consumer
            // started). Patching would leave that change out for good, so the account is fetched whole instead.
            fetched = await FetchAsync(EventStyle.Delta, delta.AccountId, delta.Version, delta.OccurredAt, context.CancellationToken);
        }

        stats.Record(EventStyle.Delta, context.Message.Bytes + fetched.Bytes, fetched.Calls);
        if (fetched.Saved is { } version)
        {
            await PushAsync(EventStyle.Delta, delta.AccountId, version, delta.Type, delta.EventId, context);
        }
    }

    public async Task Consume(ConsumeContext<AccountStateReceived> context)
    {
        var changed = context.Message.Event;
        var saved = await SaveAsync(EventStyle.State, changed.AccountId, changed.Version, AccountFields.Of(changed.After), context.CancellationToken);
        stats.Record(EventStyle.State, context.Message.Bytes);
        if (saved)
        {
            await PushAsync(EventStyle.State, changed.AccountId, changed.Version, changed.Type, changed.EventId, context, changed.After.Owner);
        }
    }

    /// <summary>
    /// Tells the push channel, naming the account's owner: the fat event's own, otherwise the overview's (a notification
    /// or a delta does not carry it; the overview learnt it from accounts.state).
    /// </summary>
    private async Task PushAsync(EventStyle style, Guid accountId, long version, string eventType, Guid eventId, ConsumeContext context, string? owner = null)
    {
        AppliedLineage.Report($"style:{style.Name()}", version);
        owner ??= await queries.OwnerAsync(accountId, context.CancellationToken);
        changes.Publish(AccountChanged.Applied(accountId, $"style:{style.Name()}", version, 0, time.GetUtcNow(), eventType, eventId, KafkaDelivery.From(context), owner));
    }

    /// <summary>
    /// The account from Account's API into the style's copy: one call, the response's bytes, and the version saved (if
    /// newer). What is read must hold the change announced (<paramref name="version"/>): PostgreSQL may hand a committed
    /// transaction to logical decoding (so to the relay, Kafka and this handler) a moment before every other session
    /// sees it, so the API may still answer the version before, or 404 for an account just opened. Taking that answer
    /// would leave the copy behind for good, so it is a transient failure, retried; an account still not readable at
    /// that version <see cref="UnreadableFor"/> after the change can never be (Account does not have it), and the message
    /// is parked.
    /// </summary>
    private async Task<(int Calls, long Bytes, long? Saved)> FetchAsync(
        EventStyle style, Guid accountId, long version, DateTimeOffset changedAt, CancellationToken cancellationToken)
    {
        using var response = await http.CreateClient(AccountApi).GetAsync(new Uri($"/accounts/{accountId}", UriKind.Relative), cancellationToken);
        var (account, body) = ((AccountSnapshot?)null, Array.Empty<byte>());
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            account = JsonSerializer.Deserialize<AccountSnapshot>(body, ContractJson.Options)!;
        }

        if (account is null || account.Version < version)
        {
            var unreadable = $"Account answered {(account is null ? "404" : $"version {account.Version}")} for account {accountId}, changed to version {version} at {changedAt:O}.";
            throw time.GetUtcNow() - changedAt > UnreadableFor ? new UnappliableMessageException(unreadable) : new AccountNotReadableYetException(unreadable);
        }

        var saved = await SaveAsync(style, accountId, account.Version, AccountFields.Of(account), cancellationToken);
        return (1, body.Length, saved ? account.Version : null);
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

    /// <returns>Whether the copy changed (an older or equal version leaves it as it is).</returns>
    private async Task<bool> SaveAsync(EventStyle style, Guid accountId, long version, SortedDictionary<string, string> fields, CancellationToken cancellationToken)
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
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public static SortedDictionary<string, string> ReadFields(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!, StringComparer.Ordinal);
}

/// <summary>Account's API does not show the change a message announced yet (see <see cref="StyleHandlers"/>): retried.</summary>
public sealed class AccountNotReadableYetException(string message) : Exception(message);
