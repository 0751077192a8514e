using System.Net.ServerSentEvents;
using System.Text.Json;
using EventDriven.Web.Authentication;
using EventDriven.Web.Services;

namespace EventDriven.Web.Live;

/// <summary>
/// One subscription to Reactor's push channel (<c>GET /changes</c>) for the whole Web process, fanned out to the
/// open pages (circuits) that watch an account. It reconnects with a growing backoff; after a reconnection every
/// watcher is told to re-read, because changes made while the channel was down were never pushed. The last
/// <see cref="RecentCapacity"/> changes are kept, so a page that starts watching all accounts can show what came before.
/// The subscription is the web app's own (client credentials, scope <c>reactor.read</c>: every account's changes), so
/// each watcher names who watches (<see cref="AccountViewer"/>) and gets only the changes of accounts that person may see.
/// </summary>
public sealed partial class AccountChangesFeed(IHttpClientFactory httpClientFactory, ILogger<AccountChangesFeed> logger) : BackgroundService
{
    public const string HttpClientName = "reactor-changes";

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(15);

    /// <summary>How many of the latest changes <see cref="Recent"/> keeps.</summary>
    public const int RecentCapacity = 500;

    private readonly Lock _lock = new();
    private readonly List<Watcher> _watchers = [];
    private readonly Queue<AccountChanged> _recent = new(RecentCapacity);
    private bool _wasConnected;

    /// <summary>True while the channel is open: the pages say so, and otherwise that they may be out of date.</summary>
    public bool Connected { get; private set; }

    /// <summary>Calls <paramref name="onChanged"/> when <paramref name="accountId"/>'s read models change (or may have), if <paramref name="viewer"/> may see it; dispose to stop.</summary>
    public IDisposable Watch(Guid accountId, AccountViewer viewer, Func<AccountChanged?, Task> onChanged) => Add(accountId, viewer, onChanged);

    /// <summary>Calls <paramref name="onChanged"/> for the changes of every account <paramref name="viewer"/> may see (null: some may have been missed); dispose to stop.</summary>
    public IDisposable WatchAll(AccountViewer viewer, Func<AccountChanged?, Task> onChanged) => Add(null, viewer, onChanged);

    /// <summary>The latest changes pushed that <paramref name="viewer"/> may see, oldest first (at most <see cref="RecentCapacity"/>).</summary>
    public IReadOnlyList<AccountChanged> RecentFor(AccountViewer viewer)
    {
        lock (_lock)
        {
            return [.. _recent.Where(change => viewer.MaySee(change.Owner))];
        }
    }

    private Watcher Add(Guid? accountId, AccountViewer viewer, Func<AccountChanged?, Task> onChanged)
    {
        var watcher = new Watcher(this, accountId, viewer, onChanged);
        lock (_lock)
        {
            _watchers.Add(watcher);
        }

        return watcher;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var item in ReadAsync(stoppingToken))
                {
                    if (item.EventType == "subscribed")
                    {
                        backoff = FirstBackoff;
                        Connected = true;
                        LogSubscribed(logger);
                        if (_wasConnected)
                        {
                            await NotifyAsync(null, stoppingToken);
                        }

                        _wasConnected = true;
                    }
                    else if (item.Data is { } change)
                    {
                        await NotifyAsync(change, stoppingToken);
                    }
                }

                LogEnded(logger);
            }
            // Whatever broke the channel (Reactor down, not yet resolvable, a torn stream), the feed outlives it: a
            // hosted service that throws would stop the whole web app.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogLost(logger, e.GetType().Name, backoff);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            Connected = false;
            await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LongestBackoff.Ticks));
        }
    }

    private async IAsyncEnumerable<SseItem<AccountChanged?>> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(HttpClientName);
        using var response = await http.GetAsync("/changes", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(stream, (type, data) =>
            type == "account-changed" ? JsonSerializer.Deserialize<AccountChanged>(data, JsonSerializerOptions.Web) : null);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>To the watchers of the changed account and of all accounts who may see it, or to every watcher when <paramref name="change"/> is null.</summary>
    private async Task NotifyAsync(AccountChanged? change, CancellationToken cancellationToken)
    {
        Watcher[] watchers;
        lock (_lock)
        {
            watchers = [.. _watchers.Where(w => change is null || ((w.AccountId is null || w.AccountId == change.AccountId) && w.Viewer.MaySee(change.Owner)))];
            if (change is not null)
            {
                if (_recent.Count == RecentCapacity)
                {
                    _recent.Dequeue();
                }

                _recent.Enqueue(change);
            }
        }

        foreach (var watcher in watchers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await watcher.OnChanged(change);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A page that failed to re-render (e.g. its circuit just closed) must not stop the feed for the others.
                LogWatcherFailed(logger, e.GetType().Name);
            }
        }
    }

    private void Remove(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    private sealed record Watcher(AccountChangesFeed Feed, Guid? AccountId, AccountViewer Viewer, Func<AccountChanged?, Task> OnChanged) : IDisposable
    {
        public void Dispose() => Feed.Remove(this);
    }

    [LoggerMessage(LogLevel.Information, "Subscribed to Reactor's change feed.")]
    private static partial void LogSubscribed(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Reactor ended the change feed; reconnecting.")]
    private static partial void LogEnded(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Reactor's change feed is unavailable ({Error}); retrying in {Backoff}.")]
    private static partial void LogLost(ILogger logger, string error, TimeSpan backoff);

    [LoggerMessage(LogLevel.Warning, "A page watching an account failed to take a change ({Error}).")]
    private static partial void LogWatcherFailed(ILogger logger, string error);
}
