using EventDriven.Reactor.Pipeline;

namespace EventDriven.Reactor.Tests;

public sealed class ReadModelChangesTests
{
    [Fact]
    public async Task An_open_push_channel_ends_when_the_application_stops()
    {
        var changes = new ReadModelChanges();
        using var stopping = new CancellationTokenSource();
        await using var stream = changes.SubscribeAsync(null, stopping.Token, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("subscribed", stream.Current.EventType);

        await stopping.CancelAsync();

        // Ends rather than waits for a change that will never come: the host's shutdown does not wait on it.
        var next = stream.MoveNextAsync().AsTask();
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)));
        Assert.False(await next);
    }
}
