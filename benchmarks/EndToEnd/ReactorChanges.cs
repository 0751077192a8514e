using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace EventDriven.Benchmarks.EndToEnd;

/// <summary>What must show in Reactor for a command to count as visible: an account version, a ledger version, or a ledger event type.</summary>
public sealed record Visibility(long AccountVersion = 0, long LedgerVersion = 0, string? Cause = null)
{
    public bool IsMetBy(string cause, long accountVersion, long ledgerVersion) =>
        (Cause is null || Cause == cause)
        && (AccountVersion == 0 || accountVersion >= AccountVersion)
        && (LedgerVersion == 0 || ledgerVersion >= LedgerVersion);
}

/// <summary>
/// Reactor's push channel (<c>GET /changes</c>, server-sent events), read as the UI reads it: the moment an
/// <c>account-changed</c> arrives is the moment a change became visible to a user.
/// </summary>
public sealed class ReactorChanges : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, AccountFeed> _accounts = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reading;

    private ReactorChanges(HttpClient reactor, TaskCompletionSource subscribed) =>
        _reading = ReadAsync(reactor, subscribed, _stopping.Token);

    public static async Task<ReactorChanges> SubscribeAsync(HttpClient reactor)
    {
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = new ReactorChanges(reactor, subscribed);
        await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return changes;
    }

    /// <summary>The timestamp (<see cref="Stopwatch"/>) at which <paramref name="accountId"/> showed <paramref name="visibility"/>; it may already have.</summary>
    public Task<long> WhenVisibleAsync(Guid accountId, Visibility visibility) =>
        _accounts.GetOrAdd(accountId, _ => new AccountFeed()).WhenAsync(visibility);

    /// <summary>Forgets what was seen of accounts nobody waits for.</summary>
    public void Trim()
    {
        foreach (var feed in _accounts.Values)
        {
            feed.Trim();
        }
    }

    private async Task ReadAsync(HttpClient reactor, TaskCompletionSource subscribed, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await reactor.GetAsync("/changes", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            string? eventType = null;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    eventType = line[6..].Trim();
                    if (eventType == "subscribed")
                    {
                        subscribed.TrySetResult();
                    }
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal) && eventType == "account-changed")
                {
                    var at = Stopwatch.GetTimestamp();
                    using var change = JsonDocument.Parse(line[5..]);
                    var root = change.RootElement;
                    _accounts.GetOrAdd(root.GetProperty("accountId").GetGuid(), _ => new AccountFeed()).Seen(
                        root.GetProperty("cause").GetString() ?? "",
                        root.GetProperty("accountVersion").GetInt64(),
                        root.GetProperty("ledgerVersion").GetInt64(),
                        at);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            subscribed.TrySetException(exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _reading;
        _stopping.Dispose();
    }

    /// <summary>One account's changes as they arrived, and who waits for which.</summary>
    private sealed class AccountFeed
    {
        private readonly List<(string Cause, long AccountVersion, long LedgerVersion, long At)> _seen = [];
        private readonly List<(Visibility Visibility, TaskCompletionSource<long> Done)> _waiting = [];

        public Task<long> WhenAsync(Visibility visibility)
        {
            lock (_seen)
            {
                foreach (var (cause, accountVersion, ledgerVersion, at) in _seen)
                {
                    if (visibility.IsMetBy(cause, accountVersion, ledgerVersion))
                    {
                        return Task.FromResult(at);
                    }
                }

                var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((visibility, done));
                return done.Task;
            }
        }

        public void Seen(string cause, long accountVersion, long ledgerVersion, long at)
        {
            lock (_seen)
            {
                _seen.Add((cause, accountVersion, ledgerVersion, at));
                _waiting.RemoveAll(waiter =>
                {
                    if (!waiter.Visibility.IsMetBy(cause, accountVersion, ledgerVersion))
                    {
                        return false;
                    }

                    waiter.Done.TrySetResult(at);
                    return true;
                });
            }
        }

        public void Trim()
        {
            lock (_seen)
            {
                if (_waiting.Count == 0)
                {
                    _seen.Clear();
                }
            }
        }
    }
}
