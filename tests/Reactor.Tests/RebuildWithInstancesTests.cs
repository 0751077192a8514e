using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.ReadModels;
using EventDriven.Reactor.Rebuild;
using EventDriven.ServiceDefaults.Status;
using EventDriven.Tests;
using Npgsql;

namespace EventDriven.Reactor.Tests;

/// <summary>
/// Two Reactor instances on one database and one consumer group (each applies its share of the partitions) while read
/// models are rebuilt: one rebuild at a time whichever instance is asked, every update applied exactly once across
/// the swap, both instances (and one started afterwards) writing and reading the new generation.
/// </summary>
[Collection(ReactorCollection.Name)]
public sealed class RebuildWithInstancesTests(ReactorFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Today = DateTimeOffset.UtcNow;
    private static readonly string[] ConsumedTopics = [Topics.AccountNotifications, Topics.AccountDeltas, Topics.AccountState, Topics.TransactionEvents];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_rebuild_one_at_a_time_under_traffic_and_every_update_counts_once_in_the_new_generation()
    {
        var database = await service.Postgres.CreateDatabaseAsync($"reactor_{Guid.NewGuid():N}");
        var group = $"instances-{Guid.NewGuid():N}";
        service.Kafka.CommitEndOffsets(group, ConsumedTopics);
        var settings = new Dictionary<string, string> { ["Aspire:Confluent:Kafka:Consumer:kafka:Config:GroupId"] = group };
        var first = service.StartReactor(database, settings);
        await using var second = service.StartReactor(database, settings);
        var currency = UniqueCurrency();
        var ledgers = Enumerable.Range(0, 12).Select(_ => new Ledger(Guid.NewGuid(), currency)).ToList();
        try
        {
            foreach (var ledger in ledgers)
            {
                await service.PublishAsync(ledger.Opened());
            }

            // Both instances apply their share: each has read some partition of the ledger topic.
            await Poll.UntilAsync(async () => await ReadsLedgerTopicAsync(first) && await ReadsLedgerTopicAsync(second), Patience, "both instances to read the ledger topic");
            // Every opening applied (one transaction per event, every read model in it) before the rebuild starts: an
            // opening applied after it would be one more entry in the old generation's inbox than the deposits below.
            foreach (var ledger in ledgers)
            {
                await Poll.UntilAsync(async () => await OverviewAsync(second, ledger.Account) is { LedgerVersion: 1 }, Patience, $"the opening of {ledger.Account}");
            }

            // A rebuild asked of the first, held just before its swap (this test holds the read model's row, which the
            // swap locks first and live writers only read). While it runs, the second instance answers as the first
            // does, and shows the same rebuild.
            RebuildStatus started;
            await using (var holder = new NpgsqlConnection(database))
            {
                await holder.OpenAsync(Ct);
                await using var hold = await holder.BeginTransactionAsync(Ct);
                await using (var row = new NpgsqlCommand("SELECT generation FROM read_models WHERE name = 'daily_totals' FOR UPDATE", holder, hold))
                {
                    await row.ExecuteNonQueryAsync(Ct);
                }

                started = await StartRebuildAsync(first, "daily_totals");
                Assert.Equal(("running", 2), (started.State, started.Generation));
                foreach (var model in new[] { "daily_totals", "account_overview" })
                {
                    using var refused = await second.Client.PostAsync($"/read-models/{model}/rebuild", null, Ct);
                    Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
                    using var again = await first.Client.PostAsync($"/read-models/{model}/rebuild", null, Ct);
                    Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
                }

                var seen = (await ReadModelsAsync(second)).LastRebuild;
                Assert.Equal((started.Model, started.Generation, "running", started.StartedAt), (seen!.Model, seen.Generation, seen.State, seen.StartedAt));

                // Once the rebuild has read the topics and waits at its swap, both instances apply deposits to the old
                // generation: the swap must find them there and take them into the new one.
                await Poll.UntilAsync(async () => await ScalarAsync<long>(database, $"SELECT count(*) FROM pg_stat_activity WHERE {holder.ProcessID} = ANY(pg_blocking_pids(pid))") > 0,
                    Patience, "the rebuild to wait at its swap");
                foreach (var ledger in ledgers)
                {
                    await service.PublishAsync(ledger.Deposit());
                }

                await Poll.UntilAsync(async () => await TotalAsync(second, currency) is { } t && t.Movements == ledgers.Count, Patience, "the deposits in the old generation");
                Assert.Equal(ledgers.Count, await ScalarAsync<long>(database, "SELECT count(*) FROM inbox WHERE model = 'daily_totals' AND generation = 1 AND applied_at >= $1", started.StartedAt));
                await hold.RollbackAsync(Ct);
            }

            Assert.Equal(("done", 2), await WaitForRebuildAsync(second, "daily_totals", started.StartedAt));
            await AssertExactlyOnceAsync(first, ledgers, currency);
            await AssertExactlyOnceAsync(second, ledgers, currency);

            // The other way round, with traffic flowing into both instances all along.
            using var stop = new CancellationTokenSource();
            var traffic = DepositUntilAsync(ledgers, stop.Token);
            var overview = await StartRebuildAsync(second, "account_overview");
            Assert.Equal(("done", 2), await WaitForRebuildAsync(first, "account_overview", overview.StartedAt));

            await stop.CancelAsync();
            await traffic;
            Assert.True(ledgers.Sum(l => l.Deposits) > 0);

            foreach (var reactor in new[] { first, second })
            {
                var models = (await ReadModelsAsync(reactor)).Models.ToDictionary(m => m.Name, m => m.Generation);
                Assert.Equal((2, 2, 1), (models["daily_totals"], models["account_overview"], models["transaction_history"]));
                await AssertExactlyOnceAsync(reactor, ledgers, currency);
            }

            // No writer touched an old generation after its swap: its inbox records went with it and none came back.
            Assert.Equal(0L, await ScalarAsync<long>(database, "SELECT count(*) FROM inbox WHERE model IN ('daily_totals', 'account_overview') AND generation = 1"));
            Assert.Equal(0L, await ScalarAsync<long>(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('daily_totals_g1', 'account_overview_g1')"));

            // A Reactor started after the swap writes the new generation too.
            await first.DisposeAsync();
            first = service.StartReactor(database, settings);
            foreach (var ledger in ledgers)
            {
                await service.PublishAsync(ledger.Deposit());
            }

            await AssertExactlyOnceAsync(first, ledgers, currency);
            await AssertExactlyOnceAsync(second, ledgers, currency);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    /// <summary>Deposits round after round over every ledger until stopped (a bounded number of rounds at most).</summary>
    private async Task DepositUntilAsync(IReadOnlyList<Ledger> ledgers, CancellationToken stop)
    {
        for (var round = 0; round < 200 && !stop.IsCancellationRequested; round++)
        {
            foreach (var ledger in ledgers)
            {
                await service.PublishAsync(ledger.Deposit());
            }
        }
    }

    private static async Task AssertExactlyOnceAsync(ReactorHost reactor, IReadOnlyList<Ledger> ledgers, string currency)
    {
        foreach (var ledger in ledgers)
        {
            var overview = await Poll.UntilAsync(async () => await OverviewAsync(reactor, ledger.Account) is { } o && o.LedgerVersion == ledger.Version ? o : null,
                Patience, $"the overview of {ledger.Account} at version {ledger.Version}");
            Assert.Equal((ledger.Balance, ledger.Deposits), (overview.Balance, overview.Deposits));
        }

        var deposits = ledgers.Sum(l => l.Deposits);
        var total = await Poll.UntilAsync(async () => await TotalAsync(reactor, currency) is { } t && t.Movements >= deposits ? t : null, Patience, "the daily total to count every deposit");
        Assert.Equal((ledgers.Sum(l => l.Balance), deposits), (total.Deposited, total.Movements));
    }

    private static async Task<DailyTotal?> TotalAsync(ReactorHost reactor, string currency) =>
        (await reactor.Client.GetFromJsonAsync<IReadOnlyList<DailyTotal>>("/totals", ContractJson.Options, Ct))!.SingleOrDefault(t => t.Currency == currency);

    private static async Task<bool> ReadsLedgerTopicAsync(ReactorHost reactor) =>
        (await reactor.Client.GetFromJsonAsync<IReadOnlyList<ConsumerLag>>("/status/consumers", ContractJson.Options, Ct))!
            .SelectMany(c => c.Partitions).Any(p => p.Topic == Topics.TransactionEvents && p.Position is not null);

    private static async Task<RebuildStatus> StartRebuildAsync(ReactorHost reactor, string model)
    {
        using var response = await reactor.Client.PostAsync($"/read-models/{model}/rebuild", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RebuildStatus>(ContractJson.Options, Ct))!;
    }

    /// <summary>The rebuild's end as another instance sees it: the shared status, and that instance's live generation.</summary>
    private static async Task<(string State, int Generation)> WaitForRebuildAsync(ReactorHost reactor, string model, DateTimeOffset startedAt)
    {
        var done = await Poll.UntilAsync(async () => (await ReadModelsAsync(reactor)).LastRebuild is { State: not "running" } last && last.StartedAt == startedAt ? last : null,
            Patience, $"{model} to be rebuilt");
        var generation = (await ReadModelsAsync(reactor)).Models.Single(m => m.Name == model).Generation;
        Assert.Null(done.Error);
        return (done.State, generation);
    }

    private static async Task<ReadModelsView> ReadModelsAsync(ReactorHost reactor) =>
        (await reactor.Client.GetFromJsonAsync<ReadModelsView>("/read-models", ContractJson.Options, Ct))!;

    private static async Task<AccountOverview?> OverviewAsync(ReactorHost reactor, Guid account)
    {
        using var response = await reactor.Client.GetAsync($"/overview/{account}", Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AccountOverview>(ContractJson.Options, Ct) : null;
    }

    private static async Task<T> ScalarAsync<T>(string database, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>A currency code of this test's own, so that its daily totals are not shared with other tests.</summary>
    private static string UniqueCurrency() => string.Concat(Enumerable.Range(0, 3).Select(_ => (char)('A' + Random.Shared.Next(26))));

    /// <summary>One account's ledger as Transactions would publish it, deposit by deposit.</summary>
    private sealed class Ledger(Guid account, string currency)
    {
        public Guid Account => account;

        public long Version { get; private set; } = 1;

        public decimal Balance { get; private set; }

        public int Deposits { get; private set; }

        public LedgerOpened Opened() => new LedgerOpened(Guid.NewGuid(), account, 1, Today, currency);

        public MoneyDeposited Deposit()
        {
            Deposits++;
            Balance += Deposits;
            return new MoneyDeposited(Guid.NewGuid(), account, ++Version, Today, Guid.NewGuid(), Deposits, currency, Balance);
        }
    }
}
