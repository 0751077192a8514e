using System.Diagnostics;
using EventDriven.Contracts.Accounts;
using EventDriven.KurrentDB.Client;
using EventDriven.ServiceDefaults.Postgres;
using EventDriven.Tests;
using EventDriven.Transactions.AccountCopy;
using EventDriven.Transactions.Domain;
using EventDriven.Transactions.Features;
using EventDriven.Transactions.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

// Starts a private PostgreSQL cluster and the local KurrentDB server, then drives the ledger command handler (the
// same code behind POST /ledgers/{id}/deposits, without HTTP) and reports deposits/s and command latency, over many
// accounts and on one hot account; then builds one ledger of --ledger events and times loading it from its events
// alone and from a snapshot.
// Options: --seconds N (per run, default 10), --workers N (concurrent senders, default 16), --accounts N (default
// 1000), --ledger N (events in the long ledger, default 100000).
var seconds = Option("--seconds", 10);
var workers = Option("--workers", 16);
var accountCount = Option("--accounts", 1000);
var longLedger = Option("--ledger", 100_000);

await using var postgres = new LocalPostgresServer();
await using var kurrentDB = new LocalKurrentDBServer();
await Task.WhenAll(postgres.InitializeAsync().AsTask(), kurrentDB.InitializeAsync().AsTask());
await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("transactionsdb"));
await PostgresMigration.MigrateAsync(dataSource, Schema.MigrationLock, Schema.Script, CancellationToken.None);
await using var client = new KurrentDBClient(KurrentDBClientSettings.Create(kurrentDB.ConnectionString));
using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
var copy = new AccountCopyStore(dataSource);
var ledgerOptions = Options.Create(new LedgerOptions());
using var cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = ledgerOptions.Value.CacheSize });
var store = new LedgerStore(client, dataSource, cache, new PendingSnapshots(), TimeProvider.System, ledgerOptions, NullLogger<LedgerStore>.Instance);
var directory = new AccountDirectory(copy, new AccountApiClient(new HttpClient()), new AccountCopyStart(), Options.Create(new AccountStateOptions()), services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
var handler = new LedgerCommandHandler(store, directory, ledgerOptions);

var accounts = Enumerable.Range(0, accountCount).Select(_ => Guid.CreateVersion7()).ToArray();
await copy.ApplyAsync([.. accounts.Select(Snapshot)], [], CancellationToken.None);

Console.WriteLine($"Transactions ledgers, {Environment.ProcessorCount} cores, KurrentDB server with fsync on; {workers} concurrent senders, in-process command handler");
Console.WriteLine();
Console.WriteLine("| run | deposits | deposits/s | p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
await DriveAsync($"{accountCount} accounts", i => accounts[i % accounts.Length]);
await DriveAsync("one hot account", _ => accounts[0]);

Console.WriteLine();
Console.WriteLine($"| load of a {longLedger:N0}-event ledger | ms | events read |");
Console.WriteLine("|---|---:|---:|");
var hot = Guid.CreateVersion7();
await copy.ApplyAsync([Snapshot(hot)], [], CancellationToken.None);
await BuildLongLedgerAsync(hot, longLedger);
var full = await TimeAsync(() => store.LoadFromEventsAsync(hot, CancellationToken.None));
Console.WriteLine($"| from its events alone | {full.Milliseconds:N0} | {full.Ledger.Version:N0} |");
await store.SaveSnapshotAsync(full.Ledger);
await Append(hot, 10); // a few events after the snapshot, as there usually are
cache.Compact(1.0);
var snapshot = await TimeAsync(() => store.LoadAsync(hot, CancellationToken.None));
Console.WriteLine($"| from a snapshot at {full.Ledger.Version:N0} + the events after it | {snapshot.Milliseconds:N0} | {snapshot.Ledger.Version - full.Ledger.Version:N0} |");

async Task DriveAsync(string name, Func<int, Guid> accountFor)
{
    var latencies = new List<double>[workers];
    var total = Stopwatch.StartNew();
    var until = DateTime.UtcNow.AddSeconds(seconds);
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
    {
        latencies[w] = [];
        while (DateTime.UtcNow < until)
        {
            var account = accountFor(Interlocked.Increment(ref next));
            var started = Stopwatch.GetTimestamp();
            var outcome = await handler.ExecuteAsync(new Deposit(account, Guid.NewGuid(), 1.25m, "EUR"), CancellationToken.None);
            if (outcome is not LedgerOutcome.Done)
            {
                throw new InvalidOperationException($"Deposit not done: {outcome}");
            }

            latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    Console.WriteLine($"| {name} | {all.Length:N0} | {all.Length / total.Elapsed.TotalSeconds:N0} | {Percentile(all, 0.50):N2} | {Percentile(all, 0.99):N2} | {all[^1]:N2} |");
}

async Task BuildLongLedgerAsync(Guid account, int events)
{
    // In batches of 500 appends' worth: the ledger's rules decide each, the store appends them together.
    var ledger = await store.LoadAsync(account, CancellationToken.None);
    while (ledger.Version < events)
    {
        var batch = new List<LedgerEvent>();
        var draft = ledger;
        for (var i = 0; i < 500 && draft.Version < events; i++)
        {
            var decision = (LedgerDecision.Append)LedgerDecisions.Decide(draft, new AccountView(account, "EUR", AccountStatus.Open, 1), new Deposit(account, Guid.NewGuid(), 1m, "EUR"));
            batch.AddRange(decision.Events);
            draft = Ledger.Fold(draft, decision.Events);
        }

        await store.AppendAsync(ledger, batch, CancellationToken.None);
        ledger = draft;
    }
}

async Task Append(Guid account, int count)
{
    for (var i = 0; i < count; i++)
    {
        await handler.ExecuteAsync(new Deposit(account, Guid.NewGuid(), 1m, "EUR"), CancellationToken.None);
    }
}

static async Task<(double Milliseconds, Ledger Ledger)> TimeAsync(Func<Task<Ledger>> load)
{
    var watch = Stopwatch.StartNew();
    var ledger = await load();
    return (watch.Elapsed.TotalMilliseconds, ledger);
}

static AccountSnapshot Snapshot(Guid id) => new(id, "Bench Mark", "bench@example.com", null,
    new PostalAddress("1 Main St", "Springfield", "12345", "US"), "EUR", AccountStatus.Open, null, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
