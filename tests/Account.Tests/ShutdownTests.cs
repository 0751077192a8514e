using System.Diagnostics;
using Confluent.Kafka;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// Account stops promptly whatever the broker is doing: Aspire's orchestrator kills a process about six seconds after
/// asking it to stop and gives up on one that is not gone then; one that overruns it is left as it is and not restarted (found by the chaos drill: librdkafka's consumer
/// close waited its session timeout for a group coordinator the broker outage had taken away). Each test has its own
/// PostgreSQL and broker, because it takes the broker away.
/// </summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    /// <summary>
    /// The host's own bound (<c>Extensions.ShutdownTimeout</c>): Account must be done by itself before the host gives up
    /// waiting for it (the consumer's close alone is given <c>ConsumerClosing.Bound</c>, 3 s).
    /// </summary>
    private static readonly TimeSpan StopBound = Extensions.ShutdownTimeout;
    private const int Consumed = 12;
    private readonly LocalPostgresServer _postgres = new();
    private readonly LocalKafkaBroker _kafka = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(_postgres.InitializeAsync().AsTask(), _kafka.InitializeAsync().AsTask());
        await _kafka.CreateTopicsAsync(Topics.All);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Account_stops_within_seconds_after_the_broker_went_away_with_consumed_offsets_and_relayed_messages_pending(bool brokerBackBeforeStop)
    {
        var service = new ServiceHost<Program>(new Dictionary<string, string>
        {
            ["ConnectionStrings:accountdb"] = await _postgres.CreateDatabaseAsync("accountdb"),
            ["ConnectionStrings:kafka"] = _kafka.BootstrapServers,
            ["Account:Relay:Mode"] = "Cdc",
            // Who may call is not what this test is about, and no call is made over HTTP: an authority that is never asked.
            ["Identity:Authority"] = "http://127.0.0.1:9/",
        });
        var stopped = false;
        try
        {
            // The consumer has joined its group and has offsets to commit on close: messages it reads and passes over.
            await OpenAccountAsync(service);
            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _kafka.BootstrapServers }).Build())
            {
                for (var i = 0; i < Consumed; i++)
                {
                    await producer.ProduceAsync(Topics.TransactionEvents, new Message<string, string> { Key = Guid.NewGuid().ToString(), Value = "{}" }, Ct);
                }
            }

            await Poll.UntilAsync(() => Task.FromResult(CommittedByAccount() == Consumed), TimeSpan.FromSeconds(60), "Account's consumer to commit what it read");

            // Then the outage, with commands stored whose messages the relay cannot deliver.
            await _kafka.SetBrokerAsync(up: false);
            for (var i = 0; i < 3; i++)
            {
                await OpenAccountAsync(service);
            }

            if (brokerBackBeforeStop)
            {
                await _kafka.SetBrokerAsync(up: true);
            }

            var clock = Stopwatch.StartNew();
            await service.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
            stopped = true;
            Assert.True(clock.Elapsed < StopBound, $"Account took {clock.Elapsed} to stop.");
        }
        finally
        {
            if (!stopped)
            {
                _ = service.DisposeAsync().AsTask();
            }
        }
    }

    /// <summary>What the consumer group "account" has committed on <c>transactions.events</c>, over all partitions.</summary>
    private long CommittedByAccount()
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _kafka.BootstrapServers, GroupId = "account" }).Build();
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(Topics.TransactionEvents, p));
        return reader.Committed(partitions, TimeSpan.FromSeconds(5)).Sum(o => Math.Max(0, o.Offset.Value));
    }

    /// <summary>Opens an account through the service's own command handler: its outbox rows are the relay's to deliver.</summary>
    private static async Task OpenAccountAsync(ServiceHost<Program> service)
    {
        var id = Guid.NewGuid();
        var outcome = await service.Services.GetRequiredService<AccountCommandHandler>().ExecuteAsync(
            new AccountCommand(id, Creates: true, Guid.NewGuid().ToString(), "open", ExpectedVersion: null, Actor: TestUser.Customer.Id),
            _ => AccountDecisions.Open(id, "Grace Hopper", new ContactDetails("owner@example.com", null), new PostalAddress("1 Main Street", "London", "SW1Y 4JH", "GB"), "EUR", TestUser.Customer.Id),
            Ct);
        Assert.IsType<CommandOutcome.Done>(outcome);
    }

    public async ValueTask DisposeAsync()
    {
        await _kafka.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
