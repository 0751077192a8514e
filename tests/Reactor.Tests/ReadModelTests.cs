using System.Net;
using System.Net.Http.Json;
using EventDriven.Contracts;
using EventDriven.Contracts.Accounts;
using EventDriven.Contracts.Transactions;
using EventDriven.Reactor.Api;
using EventDriven.Reactor.ReadModels;
using EventDriven.ServiceDefaults.Kafka;
using EventDriven.Tests;

namespace EventDriven.Reactor.Tests;

/// <summary>The read models against PostgreSQL and the broker: exactly once, version-gated, dead letters, rebuilds.</summary>
[Collection(ReactorCollection.Name)]
public sealed class ReadModelTests(ReactorFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Today = DateTimeOffset.UtcNow;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ledger_events_build_the_overview_the_history_and_the_totals_and_duplicates_change_nothing()
    {
        var account = Guid.NewGuid();
        var currency = UniqueCurrency();
        var events = Ledger(account, currency, 100m, -30m, 20m);
        foreach (var @event in events.Concat(events))
        {
            await service.PublishAsync(@event); // every event twice
        }

        var overview = await WaitForOverviewAsync(account, o => o.LedgerVersion == 4);
        Assert.Equal((90m, 2, 1, currency), (overview.Balance, overview.Deposits, overview.Withdrawals, overview.Currency));
        var history = await service.Client.GetFromJsonAsync<IReadOnlyList<HistoryLine>>($"/overview/{account}/history", ContractJson.Options, Ct);
        Assert.Equal([4L, 3L, 2L], history!.Select(h => h.Version));
        var total = Assert.Single((await service.Client.GetFromJsonAsync<IReadOnlyList<DailyTotal>>("/totals", ContractJson.Options, Ct))!, t => t.Currency == currency);
        Assert.Equal((120m, 30m, 3), (total.Deposited, total.Withdrawn, total.Movements));
    }

    [Fact]
    public async Task The_history_pages_back_from_a_ledger_version_and_a_cursor_below_one_is_a_validation_problem()
    {
        var account = Guid.NewGuid();
        foreach (var @event in Ledger(account, "EUR", 10m, 20m, 30m, 40m, 50m))
        {
            await service.PublishAsync(@event);
        }

        await WaitForOverviewAsync(account, o => o.LedgerVersion == 6);
        async Task<IEnumerable<long>> VersionsAsync(string query) =>
            (await service.Client.GetFromJsonAsync<IReadOnlyList<HistoryLine>>($"/overview/{account}/history?{query}", ContractJson.Options, Ct))!
            .Select(h => h.Version);

        Assert.Equal([6L, 5L], await VersionsAsync("count=2"));
        Assert.Equal([4L, 3L], await VersionsAsync("count=2&before=5"));
        Assert.Equal([2L], await VersionsAsync("count=2&before=3"));
        Assert.Empty(await VersionsAsync("count=2&before=2"));

        using var refused = await service.Client.GetAsync($"/overview/{account}/history?before=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"before\"", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_version_arriving_after_a_newer_one_does_not_move_the_balance_back()
    {
        var account = Guid.NewGuid();
        var events = Ledger(account, "EUR", 100m, 50m);
        await service.PublishAsync(events[0]);
        await service.PublishAsync(events[2]); // version 3: balance 150
        await WaitForOverviewAsync(account, o => o.LedgerVersion == 3);
        await service.PublishAsync(events[1]); // version 2, late: counted, but the balance stays at version 3's

        var overview = await WaitForOverviewAsync(account, o => o.Deposits == 2);
        Assert.Equal((150m, 3L), (overview.Balance, overview.LedgerVersion));
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_while_later_messages_are_still_applied_and_it_can_be_redriven()
    {
        var account = Guid.NewGuid();
        await service.PublishRawAsync(Topics.TransactionEvents, account, LedgerEventTypes.MoneyDeposited, "{not json"u8.ToArray());
        await service.PublishRawAsync(Topics.TransactionEvents, account, "ledger.from-the-future.v9", "{}"u8.ToArray());
        foreach (var @event in Ledger(account, "EUR", 10m))
        {
            await service.PublishAsync(@event);
        }

        await WaitForOverviewAsync(account, o => o.Balance == 10m);
        var dead = await Poll.UntilAsync(async () =>
        {
            var letters = (await service.Client.GetFromJsonAsync<IReadOnlyList<DeadLetter>>("/dead-letters", ContractJson.Options, Ct))!
                .Where(d => d.Key == account.ToString()).ToList();
            return letters.Count == 2 ? letters : null;
        }, Patience, "two dead letters");
        Assert.All(dead, d => Assert.Equal(Topics.TransactionEvents, d.SourceTopic));
        Assert.Contains(dead, d => d.Error.Contains("from-the-future", StringComparison.Ordinal));
        Assert.Equal(2, (await service.Kafka.ReadAsync(Topics.DeadLetter(Topics.TransactionEvents), account, 2)).Count);

        // Still unreadable: it comes back as a new dead letter, marked as re-driven from the first.
        var again = await RedriveAsync(dead[0]);
        Assert.Equal(dead[0].Value, again.Value);
        using var twice = await service.Client.PostAsync($"/dead-letters/{dead[0].Id}/redrive", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        // And again: re-driven from the second, one origin named, parked like the others (not stuck in the consumer).
        Assert.Equal(dead[0].Value, (await RedriveAsync(again)).Value);
    }

    /// <summary>Re-drives a dead letter and waits for it to come back as a new one that names it as its origin.</summary>
    private async Task<DeadLetter> RedriveAsync(DeadLetter letter)
    {
        using (var redrive = await service.Client.PostAsync($"/dead-letters/{letter.Id}/redrive", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, redrive.StatusCode);
        }

        var origin = letter.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<IReadOnlyList<DeadLetter>>("/dead-letters", ContractJson.Options, Ct))!
            .FirstOrDefault(d => d.Headers.GetValueOrDefault("redriven_from") == origin), Patience, $"the message re-driven from dead letter {origin}");
    }

    [Fact]
    public async Task A_rebuilt_read_model_equals_the_incrementally_built_one()
    {
        var accounts = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        var currency = UniqueCurrency();
        var ledgers = accounts.ToDictionary(a => a, a => Ledger(a, currency, 10m, 5m, -3m, 1m));
        foreach (var (account, events) in ledgers)
        {
            foreach (var @event in events.Take(4))
            {
                await service.PublishAsync(@event);
            }
        }

        foreach (var account in accounts)
        {
            await WaitForOverviewAsync(account, o => o.LedgerVersion == 4);
        }

        var before = await ReadAllAsync(accounts, currency);
        foreach (var model in new[] { "account_overview", "transaction_history", "daily_totals" })
        {
            using var start = await service.Client.PostAsync($"/read-models/{model}/rebuild", null, Ct);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var done = await Poll.UntilAsync(async () => (await service.Client.GetFromJsonAsync<ReadModelsView>("/read-models", ContractJson.Options, Ct))!.LastRebuild is { State: not "running" } last ? last : null,
                Patience, $"{model} to be rebuilt");
            Assert.Equal(("done", 1.0), (done.State, done.Progress));
            Assert.True(done.Events > 0);
        }

        var after = await ReadAllAsync(accounts, currency);
        Assert.Equal(before.Overview, after.Overview);
        Assert.Equal(before.History, after.History);
        Assert.Equal(before.Totals, after.Totals);
        var models = (await service.Client.GetFromJsonAsync<ReadModelsView>("/read-models", ContractJson.Options, Ct))!.Models;
        Assert.All(models, m => Assert.True(m.Generation >= 2));

        // The live consumer applies to the new generation, and duplicates of what the rebuild read are still duplicates.
        await service.PublishAsync(ledgers[accounts[0]][2]);
        await service.PublishAsync(ledgers[accounts[0]][4]);
        var overview = await WaitForOverviewAsync(accounts[0], o => o.LedgerVersion == 5);
        Assert.Equal((13m, 3), (overview.Balance, overview.Deposits));
    }

    [Fact]
    public async Task A_reactor_killed_mid_stream_resumes_without_loss_or_double_application()
    {
        var database = await service.Postgres.CreateDatabaseAsync($"reactor_{Guid.NewGuid():N}");
        var account = Guid.NewGuid();
        var currency = UniqueCurrency();
        foreach (var @event in Ledger(account, currency, [.. Enumerable.Repeat(1m, 1000)]))
        {
            await service.PublishAsync(@event);
        }

        // Reactor as a process of its own, killed (SIGKILL: no shutdown code runs) while it works through the stream.
        // Configured like the fixture's Reactor (as environment variables), Account's address included: it reads the
        // topics from the start, and without the address every account notification other tests left there would cost
        // its retries; the identity server and Reactor's client secret too.
        var environment = service.ReactorSettings(database).ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);
        environment["Aspire__Confluent__Kafka__Consumer__kafka__Config__GroupId"] = $"killed-{Guid.NewGuid():N}";
        environment["Logging__LogLevel__Default"] = "Warning";
        var reactor = ReactorBuildOutput();
        var port = FreePort.Pick();
        using var client = service.As(new Uri($"http://127.0.0.1:{port}"), TestUser.Operator);
        await using (var first = ChildProcess.StartDotnet(reactor, [$"--urls=http://127.0.0.1:{port}"], environment))
        {
            await Poll.UntilAsync(async () => first.HasExited
                ? throw new InvalidOperationException($"Reactor exited: {first.StandardError}")
                : await TryOverviewAsync(client, account) is { Deposits: > 100 }, Patience, "the first Reactor to be under way");
        }

        var partly = await TryOverviewAsync(client, account);
        Assert.Null(partly); // it is gone
        await using var second = ChildProcess.StartDotnet(reactor, [$"--urls=http://127.0.0.1:{port}"], environment);
        var overview = await Poll.UntilAsync(async () => await TryOverviewAsync(client, account) is { LedgerVersion: 1001 } o ? o : null,
            TimeSpan.FromSeconds(90), "the second Reactor to finish the stream");
        Assert.Equal((1000m, 1000), (overview.Balance, overview.Deposits));
        var total = Assert.Single((await client.GetFromJsonAsync<IReadOnlyList<DailyTotal>>("/totals", ContractJson.Options, Ct))!, t => t.Currency == currency);
        Assert.Equal((1000m, 1000), (total.Deposited, total.Movements));
        var history = await client.GetFromJsonAsync<IReadOnlyList<HistoryLine>>($"/overview/{account}/history?count=500", ContractJson.Options, Ct);
        Assert.Equal(500, history!.Select(h => h.Version).Distinct().Count());
    }

    /// <summary>Reactor.dll in its own build output (with its own appsettings.json), built in the tests' configuration.</summary>
    private static string ReactorBuildOutput()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = bin;
        while (!File.Exists(Path.Combine(root.FullName, "EventDriven.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("The repository root (EventDriven.sln) is not above the test's folder.");
        }

        return Path.Combine(root.FullName, "Reactor", "bin", bin.Parent!.Name, bin.Name, "Reactor.dll");
    }

    private static async Task<AccountOverview?> TryOverviewAsync(HttpClient client, Guid account)
    {
        try
        {
            return await OverviewAsync(client, account);
        }
        catch (HttpRequestException)
        {
            return null; // not listening (yet, or any more)
        }
    }

    /// <summary>A ledger's events as Transactions would publish them: opened, then a deposit (positive) or withdrawal (negative) per amount.</summary>
    private static List<LedgerEvent> Ledger(Guid account, string currency, params decimal[] movements)
    {
        var events = new List<LedgerEvent> { new LedgerOpened(Guid.NewGuid(), account, 1, Today, currency) };
        var balance = 0m;
        foreach (var amount in movements)
        {
            balance += amount;
            var version = events.Count + 1;
            events.Add(amount >= 0
                ? new MoneyDeposited(Guid.NewGuid(), account, version, Today, Guid.NewGuid(), amount, currency, balance)
                : new MoneyWithdrawn(Guid.NewGuid(), account, version, Today, Guid.NewGuid(), -amount, currency, balance));
        }

        return events;
    }

    /// <summary>A currency code of this test's own, so that its daily totals are not shared with other tests.</summary>
    private static string UniqueCurrency() => string.Concat(Enumerable.Range(0, 3).Select(_ => (char)('A' + Random.Shared.Next(26))));

    private Task<AccountOverview> WaitForOverviewAsync(Guid account, Func<AccountOverview, bool> condition) =>
        Poll.UntilAsync(async () => await OverviewAsync(service.Client, account) is { } o && condition(o) ? o : null, Patience, $"the overview of {account}");

    private static async Task<AccountOverview?> OverviewAsync(HttpClient client, Guid account)
    {
        using var response = await client.GetAsync($"/overview/{account}", Ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AccountOverview>(ContractJson.Options, Ct) : null;
    }

    /// <summary>
    /// The rows these accounts and this currency own in each read model. Not the whole tables: the fixture's Reactor may
    /// still be applying what earlier tests left on the topics, and the rebuild reads that too.
    /// </summary>
    private async Task<(List<AccountOverview> Overview, List<HistoryLine> History, List<DailyTotal> Totals)> ReadAllAsync(IReadOnlyList<Guid> accounts, string currency)
    {
        var overview = new List<AccountOverview>();
        var history = new List<HistoryLine>();
        foreach (var account in accounts.Order())
        {
            overview.Add((await OverviewAsync(service.Client, account))!);
            history.AddRange((await service.Client.GetFromJsonAsync<IReadOnlyList<HistoryLine>>($"/overview/{account}/history?count=500", ContractJson.Options, Ct))!);
        }

        var totals = (await service.Client.GetFromJsonAsync<IReadOnlyList<DailyTotal>>("/totals", ContractJson.Options, Ct))!
            .Where(t => t.Currency == currency).OrderBy(t => t.Day).ToList();
        Assert.NotEmpty(totals);
        return (overview, history, totals);
    }
}
