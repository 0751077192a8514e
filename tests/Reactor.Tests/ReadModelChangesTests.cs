using EventDriven.Reactor.Pipeline;

namespace EventDriven.Reactor.Tests;

public sealed class ReadModelChangesTests
{
    [Fact]
    public async Task An_open_push_channel_ends_when_the_application_stops()
    {
        var changes = new ReadModelChanges();
        using var stopping = new CancellationTokenSource();
        await using var stream = changes.SubscribeAsync(null, _ => true, stopping.Token, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("subscribed", stream.Current.EventType);

        await stopping.CancelAsync();

        // Ends rather than waits for a change that will never come: the host's shutdown does not wait on it.
        var next = stream.MoveNextAsync().AsTask();
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)));
        Assert.False(await next);
    }

    [Fact]
    public async Task A_channel_carries_only_the_changes_its_subscriber_may_see()
    {
        var changes = new ReadModelChanges();
        var ct = TestContext.Current.CancellationToken;
        await using var stream = changes.SubscribeAsync(null, change => change.Owner == "customer-a", CancellationToken.None, ct).GetAsyncEnumerator(ct);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("subscribed", stream.Current.EventType);

        changes.Publish(new AccountChanged(Guid.NewGuid(), "style:delta", 2, 0, DateTimeOffset.UtcNow) { Owner = "customer-b" });
        // An account whose owner Reactor does not know yet is nobody's to be told of.
        changes.Publish(new AccountChanged(Guid.NewGuid(), "style:delta", 2, 0, DateTimeOffset.UtcNow));
        var own = new AccountChanged(Guid.NewGuid(), "style:delta", 2, 0, DateTimeOffset.UtcNow) { Owner = "customer-a" };
        changes.Publish(own);

        // The channel is in publishing order: the first change it yields is the first one admitted.
        Assert.True(await stream.MoveNextAsync());
        Assert.Same(own, stream.Current.Data);
    }
}
