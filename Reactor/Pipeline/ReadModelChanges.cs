using System.Net.ServerSentEvents;
using System.Threading.Channels;

namespace EventDriven.Reactor.Pipeline;

/// <summary>An account's read models changed: what the UI's push channel carries.</summary>
public sealed record AccountChanged(Guid AccountId, string Cause, long AccountVersion, long LedgerVersion, DateTimeOffset At);

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
    /// <c>account-changed</c> for each change, of one account or of all.
    /// </summary>
    public async IAsyncEnumerable<SseItem<AccountChanged?>> SubscribeAsync(Guid? accountId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<AccountChanged>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        try
        {
            yield return new SseItem<AccountChanged?>(null, "subscribed");
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (accountId is null || change.AccountId == accountId)
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
