using System.Net.ServerSentEvents;
using System.Threading.Channels;
using EventDriven.ServiceDefaults.Kafka;

namespace EventDriven.Reactor.Pipeline;

/// <summary>
/// An account's read models (or one event style's copy of it) changed: what the UI's push channel carries. Besides the
/// versions, what was applied: the event's type and id, where Kafka delivered it, when it was published there, and
/// the lag (applied − published). <see cref="Cause"/> is the event's type for the read models, and
/// <c>style:notification</c>, <c>style:delta</c> or <c>style:state</c> for a style's copy. <see cref="Owner"/> is the
/// account owner's subject (null while Reactor does not know it): the push channel sends a customer only their own
/// accounts' changes, and a subscriber serving many people (the web app) tells them apart by it.
/// </summary>
public sealed record AccountChanged(Guid AccountId, string Cause, long AccountVersion, long LedgerVersion, DateTimeOffset At)
{
    public string? EventType { get; init; }
    public Guid? EventId { get; init; }
    public string? Topic { get; init; }
    public int? Partition { get; init; }
    public long? Offset { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public double? LagMilliseconds { get; init; }
    public string? Owner { get; init; }

    /// <summary>A change made by applying the event <paramref name="eventId"/> that Kafka delivered as <paramref name="delivery"/>.</summary>
    public static AccountChanged Applied(
        Guid accountId, string cause, long accountVersion, long ledgerVersion, DateTimeOffset at, string eventType, Guid eventId, KafkaDelivery? delivery, string? owner) =>
        new(accountId, cause, accountVersion, ledgerVersion, at)
        {
            Owner = owner,
            EventType = eventType,
            EventId = eventId,
            Topic = delivery?.Topic,
            Partition = delivery?.Partition,
            Offset = delivery?.Offset,
            PublishedAt = delivery?.Timestamp,
            // Whole milliseconds: Kafka's timestamps have no finer grain, and the clocks are the same machine's or close.
            LagMilliseconds = delivery?.Timestamp is { } published ? Math.Max(0, Math.Round((at - published).TotalMilliseconds)) : null,
        };
}

/// <summary>
/// Fans read-model changes out to every open push channel (server-sent events). A subscriber that does not keep up
/// loses its oldest notifications rather than slowing the consumer; notifications say what changed, the UI re-reads.
/// </summary>
public sealed class ReadModelChanges
{
    private readonly Lock _lock = new();
    private readonly List<Channel<AccountChanged>> _subscribers = [];

    public void Publish(AccountChanged change)
    {
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>
    /// Server-sent events: first <c>subscribed</c> (the channel is live, and the response starts at once), then an
    /// <c>account-changed</c> for each change <paramref name="admits"/> lets the caller see (a customer: their own
    /// accounts'), of one account or of all. The stream ends when <paramref name="stopping"/>
    /// fires: a push channel never ends by itself, so without that the host would wait its whole shutdown timeout for
    /// the open ones and a restart would be refused (the orchestrator gives up before).
    /// </summary>
    public async IAsyncEnumerable<SseItem<AccountChanged?>> SubscribeAsync(
        Guid? accountId, Func<AccountChanged, bool> admits, CancellationToken stopping, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<AccountChanged>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        using var stop = stopping.Register(() => channel.Writer.TryComplete());

        try
        {
            yield return new SseItem<AccountChanged?>(null, "subscribed");
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if ((accountId is null || change.AccountId == accountId) && admits(change))
                {
                    yield return new SseItem<AccountChanged?>(change, "account-changed");
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}
