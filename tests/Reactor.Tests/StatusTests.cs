using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>Reactor's consumer lag: its one pipeline consumer, over the four topics it reads.</summary>
[Collection(ReactorCollection.Name)]
public sealed class StatusTests(ReactorFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_consumer_lag_counts_a_new_message_until_the_pipeline_has_committed_it()
    {
        var account = Guid.NewGuid();
        // Unreadable: parked, and its offset committed like any other.
        await service.PublishRawAsync(Topics.AccountDeltas, account, "account.delta.v1", "{ not json"u8.ToArray());

        var consumers = await Poll.UntilAsync(async () =>
            await service.Client.GetFromJsonAsync<List<ConsumerLag>>("/status/consumers", Ct) is [{ Lag: 0 } pipeline]
            && pipeline.Partitions.Any(p => p.Topic == Topics.AccountDeltas && p.Committed > 0) ? new[] { pipeline } : null,
            TimeSpan.FromSeconds(30), "Reactor to commit everything on its topics");

        var reactor = Assert.Single(consumers);
        Assert.Equal(("pipeline", "reactor"), (reactor.Name, reactor.GroupId));
        Assert.Equal(
            [Topics.AccountDeltas, Topics.AccountNotifications, Topics.AccountState, Topics.TransactionEvents],
            reactor.Partitions.Select(p => p.Topic).Distinct().Order());
        Assert.All(reactor.Partitions, p => Assert.True(p.Committed == p.HighWatermark || (p.Committed is null && p.Lag == 0), $"{p}"));
    }
}
