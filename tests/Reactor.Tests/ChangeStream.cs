using System.Net.ServerSentEvents;
using System.Text.Json;
using EventDriven.Contracts;
using EventDriven.Reactor.Pipeline;

namespace EventDriven.Reactor.Tests;

/// <summary>Reactor's push channel (one account's changes, or all the caller may see), read as the web app reads it.</summary>
internal sealed class ChangeStream(Stream stream, CancellationTokenSource timeout) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<SseItem<AccountChanged?>> _items = SseParser
        .Create(stream, (type, data) => type == "account-changed" ? JsonSerializer.Deserialize<AccountChanged>(data, ContractJson.Options) : null)
        .EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

    /// <summary>Once Reactor said <c>subscribed</c>: every change after this is on the stream.</summary>
    public static async Task<ChangeStream> OpenAsync(HttpClient reactor, Guid? account, TimeSpan patience)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(patience);
        var stream = new ChangeStream(await reactor.GetStreamAsync(account is null ? "/changes" : $"/changes?accountId={account}", timeout.Token), timeout);
        Assert.True(await stream._items.MoveNextAsync());
        Assert.Equal("subscribed", stream._items.Current.EventType);
        return stream;
    }

    public async Task<AccountChanged> NextAsync()
    {
        while (await _items.MoveNextAsync())
        {
            if (_items.Current.Data is { } change)
            {
                return change;
            }
        }

        throw new InvalidOperationException("Reactor ended the push channel.");
    }

    public async ValueTask DisposeAsync()
    {
        await _items.DisposeAsync();
        await stream.DisposeAsync();
        timeout.Dispose();
    }
}
