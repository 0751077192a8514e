using System.Text;
using Confluent.Kafka;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Accounts.Relay;
using EventDriven.Accounts.Storage;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.ServiceDefaults.Lineage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using System.Diagnostics.Metrics;

namespace EventDriven.Accounts.Tests;

/// <summary>
/// Both relays crashed at the worst moment — Kafka has acknowledged, PostgreSQL has not been told — then restarted:
/// everything is (re)sent with the same event ids, nothing is lost, and the outbox empties. Each test has its own
/// database and replication slot.
/// </summary>
[Collection(AccountServiceCollection.Name)]
public sealed class RelayTests(AccountServiceFixture infrastructure)
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cdc_relay_killed_after_the_ack_but_before_confirming_the_wal_position_resends_and_loses_nothing()
    {
        var (database, dataSource) = await NewDatabaseAsync();
        var slot = $"test_{Guid.NewGuid():N}";
        var options = Options.Create(new RelayOptions { SlotName = slot });
        using var producer = NewProducer();
        var (hanging, probe) = AckThenHangProducer.Wrap(producer);

        IReadOnlyList<Guid> accounts;
        using (var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            // The relay streams from its slot before the commands happen, so they reach it through the WAL.
            var first = Cdc(dataSource, database, hanging, options).RelayAsync(crash.Token);
            // Streaming, not merely active: a slot being created is active too, and rows written then would come both
            // from the new relay's catch-up from the table and from the WAL.
            await SlotStreamingAsync(dataSource, slot);
            accounts = await OpenAccountsAsync(dataSource, 2);
            await probe.FirstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await crash.CancelAsync();
            await Stopped(first);
        }

        Assert.Equal(6, await CountOutboxAsync(dataSource));

        using var restart = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var second = Cdc(dataSource, database, producer, options).RelayAsync(restart.Token);
        await AssertEverythingArrivedAsync(accounts, probe);
        await Poll(async () => await CountOutboxAsync(dataSource) == 0, "the relayed rows to be deleted");
        await restart.CancelAsync();
        await Stopped(second);
    }

    [Fact]
    public async Task A_polling_relay_killed_after_the_ack_but_before_its_commit_resends_and_loses_nothing()
    {
        var (database, dataSource) = await NewDatabaseAsync();
        var accounts = await OpenAccountsAsync(dataSource, 2);
        var options = Options.Create(new RelayOptions());
        using var producer = NewProducer();
        var (hanging, probe) = AckThenHangProducer.Wrap(producer);

        using (var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var first = Polling(dataSource, database, hanging, options).RelayBatchAsync(crash.Token);
            await probe.FirstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await crash.CancelAsync();
            await Stopped(first);
        }

        Assert.Equal(6, await CountOutboxAsync(dataSource));
        Assert.Equal(6, await Polling(dataSource, database, producer, options).RelayBatchAsync(Ct));
        await AssertEverythingArrivedAsync(accounts, probe);
        Assert.Equal(0, await CountOutboxAsync(dataSource));
    }

    [Fact]
    public async Task Of_two_relays_only_one_relays_and_the_other_takes_over_when_it_stops()
    {
        var (database, dataSource) = await NewDatabaseAsync();
        var slot = $"test_{Guid.NewGuid():N}";
        var options = Options.Create(new RelayOptions { SlotName = slot, RetryDelay = TimeSpan.FromMilliseconds(200) });
        using var producer = NewProducer();
        var (first, second) = (Cdc(dataSource, database, producer, options), Cdc(dataSource, database, producer, options));
        await first.StartAsync(Ct);
        await second.StartAsync(Ct);
        // A row written while the leader creates the slot is sent twice on purpose (see above); the takeovers reuse it.
        await SlotStreamingAsync(dataSource, slot);

        // Both run; one leads. Stopping each in turn (restarting the first) removes the leader once, whichever it was.
        await AssertRelayedOnceAsync(dataSource);
        await first.StopAsync(Ct);
        await AssertRelayedOnceAsync(dataSource);
        var third = Cdc(dataSource, database, producer, options);
        await third.StartAsync(Ct);
        await second.StopAsync(Ct);
        await AssertRelayedOnceAsync(dataSource);
        await third.StopAsync(Ct);
    }

    [Fact]
    public async Task Instances_starting_together_migrate_the_schema_once_without_failing()
    {
        var connectionString = await infrastructure.Postgres.CreateDatabaseAsync($"migrate_{Guid.NewGuid():N}");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Schema.MigrateAsync(dataSource, Ct)));

        Assert.Equal(3L, await ScalarAsync<long?>(dataSource, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('accounts', 'outbox', 'idempotency_keys')"));
        Assert.Equal(1L, await ScalarAsync<long?>(dataSource, "SELECT count(*) FROM pg_publication WHERE pubname = $1", Schema.Publication));
    }

    private static Task SlotStreamingAsync(NpgsqlDataSource dataSource, string slot) =>
        Poll(async () => await ScalarAsync<bool?>(dataSource,
            "SELECT s.active FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1", slot) == true,
            "the slot to stream");

    /// <summary>A new account's opening reaches the notifications topic exactly once: one relay is at work.</summary>
    private async Task AssertRelayedOnceAsync(NpgsqlDataSource dataSource)
    {
        var account = (await OpenAccountsAsync(dataSource, 1))[0];
        Assert.Single(await infrastructure.Kafka.ReadExactlyAsync(Topics.AccountNotifications, account, 1));
    }

    /// <summary>Every account's opening is on every topic; what the crashed relay had sent is there twice, same id.</summary>
    private async Task AssertEverythingArrivedAsync(IReadOnlyList<Guid> accounts, AckThenHangProducer crashed)
    {
        Assert.NotEmpty(crashed.Acknowledged);
        foreach (var topic in new[] { Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState })
        {
            foreach (var account in accounts)
            {
                var sentBeforeCrash = crashed.Acknowledged.Count(a => a.Topic == topic && a.Key == account.ToString());
                var messages = await infrastructure.Kafka.ReadAsync(topic, account, 1 + sentBeforeCrash);
                Assert.Equal(1 + sentBeforeCrash, messages.Count);
                Assert.Single(messages.Select(m => AccountServiceFixture.Header(m, "ce_id")).Distinct());
                Assert.All(messages, m => Assert.Equal(AccountEventTypes.Opened, AccountServiceFixture.Header(m, "ce_type")));
            }
        }
    }

    private async Task<(AccountServices.AccountDatabase Database, NpgsqlDataSource DataSource)> NewDatabaseAsync()
    {
        var connectionString = await infrastructure.Postgres.CreateDatabaseAsync($"relay_{Guid.NewGuid():N}");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await Schema.MigrateAsync(dataSource, Ct);
        return (new AccountServices.AccountDatabase(connectionString), dataSource);
    }

    private static async Task<IReadOnlyList<Guid>> OpenAccountsAsync(NpgsqlDataSource dataSource, int count)
    {
        var handler = new AccountCommandHandler(dataSource, TimeProvider.System);
        var accounts = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            var outcome = await handler.ExecuteAsync(new AccountCommand(id, Creates: true, Guid.NewGuid().ToString(), "hash", ExpectedVersion: null),
                _ => AccountDecisions.Open(id, $"Owner {i}", new ContactDetails("owner@example.com", null), new PostalAddress("s", "c", "p", "NL"), "EUR"), Ct);
            Assert.IsType<CommandOutcome.Done>(outcome);
            accounts.Add(id);
        }

        return accounts;
    }

    private IProducer<string, byte[]> NewProducer() => new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = infrastructure.Kafka.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 0,
    }).Build();

    private static CdcRelay Cdc(NpgsqlDataSource dataSource, AccountServices.AccountDatabase database, IProducer<string, byte[]> producer, IOptions<RelayOptions> options) =>
        new(dataSource, database, new OutboxPublisher(producer, new LineageRecorder(new LineageStore(dataSource, "account"), NullLogger<LineageRecorder>.Instance), Meters), options, NullLogger<CdcRelay>.Instance);

    private static PollingRelay Polling(NpgsqlDataSource dataSource, AccountServices.AccountDatabase database, IProducer<string, byte[]> producer, IOptions<RelayOptions> options) =>
        new(dataSource, database, new OutboxPublisher(producer, new LineageRecorder(new LineageStore(dataSource, "account"), NullLogger<LineageRecorder>.Instance), Meters), options, NullLogger<PollingRelay>.Instance);

    private static async Task<long> CountOutboxAsync(NpgsqlDataSource dataSource) =>
        (await ScalarAsync<long?>(dataSource, "SELECT count(*) FROM outbox"))!.Value;

    private static async Task<T?> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }

        return await command.ExecuteScalarAsync(Ct) is T value ? value : default;
    }

    /// <summary>Waits for a relay that was cancelled; its cancellation is the point, anything else is a failure.</summary>
    private static async Task Stopped(Task relay)
    {
        try
        {
            await relay;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task Poll(Func<Task<bool>> probe, string what) => EventDriven.Tests.Poll.UntilAsync(probe, TimeSpan.FromSeconds(30), what);
}
