using System.Net.Http.Json;
using System.Text;
using Confluent.Kafka;
using EventDriven.Accounts.Relay;
using EventDriven.Contracts;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Tests;

namespace EventDriven.Accounts.Tests;

/// <summary>Account's status endpoints: the outbox backlog and relay lag, and its consumer's lag.</summary>
[Collection(AccountServiceCollection.Name)]
public sealed class StatusTests(AccountServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_relay_the_outbox_status_counts_the_stored_messages_and_their_age()
    {
        // An instance of its own, relaying nothing: what a command stores stays in the outbox.
        var database = await service.Postgres.CreateDatabaseAsync($"account_{Guid.NewGuid():N}");
        await using var unrelayed = new ServiceHost<Program>(service.Settings(new Dictionary<string, string>
        {
            ["ConnectionStrings:accountdb"] = database,
            ["ConnectionStrings:kafka"] = service.Kafka.BootstrapServers,
            ["Account:Relay:Mode"] = "None",
            ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = $"unrelayed-{Guid.NewGuid():N}",
        }));
        using var customer = service.ClientAs(TestUser.Customer, address: unrelayed.Address);
        using var operatorClient = service.ClientAs(TestUser.Operator, address: unrelayed.Address);
        await customer.OpenAccountAsync("EUR", Ct);

        var status = await operatorClient.GetFromJsonAsync<OutboxStatus>("/status/outbox", Ct);

        // Opening stores a notification, a delta and the state.
        Assert.Equal(("none", 3L), (status!.RelayMode, status.Backlog));
        Assert.True(status.OldestSeconds >= 0);
        Assert.Null(status.SlotLagBytes);
        Assert.Null(status.LastRelayed);
    }

    [Fact]
    public async Task The_cdc_relay_empties_the_backlog_and_the_status_shows_its_last_relay_lag()
    {
        var before = DateTimeOffset.UtcNow;
        await service.Client.OpenAccountAsync("EUR", Ct);

        var status = await Poll.UntilAsync(async () =>
            await service.Operator.GetFromJsonAsync<OutboxStatus>("/status/outbox", Ct) is { Backlog: 0, LastRelayed.AcknowledgedAt: var at } caughtUp && at >= before ? caughtUp : null,
            Patience, "the relay to relay the new account's messages and clear them");

        Assert.Equal("cdc", status.RelayMode);
        Assert.Null(status.OldestSeconds);
        Assert.NotNull(status.SlotLagBytes);
        Assert.InRange(status.LastRelayed!.LagMilliseconds, 0.0, Patience.TotalMilliseconds);
    }

    [Fact]
    public async Task The_consumer_lag_counts_a_new_message_until_the_consumer_has_committed_it()
    {
        var before = await PartitionsAsync();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = service.Kafka.BootstrapServers }).Build();
        // An alert type Account does not react to: read, skipped, its offset committed like any other.
        var sent = await producer.ProduceAsync(Topics.ReactorAlerts, new Message<string, byte[]>
        {
            Key = Guid.NewGuid().ToString(),
            Value = "{}"u8.ToArray(),
            Headers = new Headers { { "ce_type", Encoding.UTF8.GetBytes("reactor.something-else.v1") } },
        }, Ct);

        var after = await Poll.UntilAsync(async () =>
            (await PartitionsAsync()).Single(p => p.Topic == Topics.ReactorAlerts && p.Partition == sent.Partition.Value) is { Lag: 0 } caughtUp
            && caughtUp.Committed > sent.Offset.Value ? caughtUp : null,
            Patience, "the consumer to commit the new alert");

        Assert.Equal(sent.Offset.Value + 1, after.HighWatermark);
        Assert.Equal(after.HighWatermark, after.Committed);
        Assert.Contains(before, p => p.Topic == Topics.TransactionEvents);
    }

    private async Task<IReadOnlyList<PartitionLag>> PartitionsAsync()
    {
        var consumers = await service.Operator.GetFromJsonAsync<List<ConsumerLag>>("/status/consumers", Ct);
        var pipeline = Assert.Single(consumers!);
        Assert.Equal(("pipeline", "account"), (pipeline.Name, pipeline.GroupId));
        Assert.Equal(pipeline.Partitions.Sum(p => p.Lag), pipeline.Lag);
        return pipeline.Partitions;
    }
}
