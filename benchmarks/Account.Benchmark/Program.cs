using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using EventDriven.Accounts;
using EventDriven.Accounts.Domain;
using EventDriven.Accounts.Features;
using EventDriven.Accounts.Relay;
using EventDriven.Accounts.Storage;
using EventDriven.Contracts.Accounts;
using EventDriven.ServiceDefaults.Lineage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using EventDriven.Tests;
using Npgsql;

// Starts a private PostgreSQL cluster and the local Kafka broker, then for each relay: drives account commands at a
// fraction of PostgreSQL's ceiling measured in the same run (machines differ, so no fixed rate) and at full speed, and
// reports commit → Kafka-ack latency and relay throughput.
// Each run first warms up (JIT, connection pools, the slot's first reads) for --warmup seconds, unmeasured.
// Options: --load F (fraction of the ceiling, default 0.5), --seconds N (measured, per run, default 10), --warmup N (default 2),
// --workers N (concurrent command senders, default 8).
var load = double.TryParse(OptionText("--load"), System.Globalization.CultureInfo.InvariantCulture, out var fraction) ? fraction : 0.5;
var seconds = Option("--seconds", 10);
var warmup = Option("--warmup", 2);
var workers = Option("--workers", 8);

await using var infrastructure = await Infrastructure.StartAsync();
Console.WriteLine($"Account outbox relays, {Environment.ProcessorCount} cores; each command = 1 account row + 3 outbox rows + 1 idempotency row, fsync on;");
Console.WriteLine($"{seconds} s measured per run, after {warmup} s of warm-up at the same load");
Console.WriteLine();
Console.WriteLine("| run | commands | commands/s | messages acked/s | p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");

var ceiling = await DriveAsync(infrastructure, relay: null, targetRate: null, warmup, seconds, workers);
Report("PostgreSQL ceiling: same transaction, no relay", ceiling, null);
var rate = (int)(ceiling.CommandsPerSecond * load);
foreach (var mode in new[] { RelayMode.Cdc, RelayMode.Polling })
{
    Report($"{mode} relay at {load:P0} of the ceiling ({rate}/s)", await DriveAsync(infrastructure, mode, rate, warmup, seconds, workers), mode);
    // What recording lineage costs the relay: the same load with the recorder never writing.
    Report($"{mode} relay at {load:P0} of the ceiling, lineage not written", await DriveAsync(infrastructure, mode, rate, warmup, seconds, workers, writeLineage: false), mode);
    Report($"{mode} relay at full speed", await DriveAsync(infrastructure, mode, targetRate: null, warmup, seconds, workers), mode);
}

static async Task<RunResult> DriveAsync(Infrastructure infrastructure, RelayMode? relay, int? targetRate, int warmupSeconds, int seconds, int workerCount, bool writeLineage = true)
{
    var connectionString = await infrastructure.CreateDatabaseAsync();
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    await Schema.MigrateAsync(dataSource, CancellationToken.None);
    var handler = new AccountCommandHandler(dataSource, TimeProvider.System);

    using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    var lags = new ConcurrentBag<double>();
    var acked = 0;
    var measuring = false;
    using var listener = new MeterListener
    {
        InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "account.outbox.relay.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        },
    };
    listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
    {
        Interlocked.Increment(ref acked);
        if (Volatile.Read(ref measuring))
        {
            lags.Add(value);
        }
    });
    listener.Start();

    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = infrastructure.KafkaBootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 1,
    }).Build();
    // Lineage is recorded as in the service: the relay hands each acknowledged message to the recorder, which writes
    // batches (unless writeLineage is off: then it is handed over and never written, for comparison).
    await LineageStore.MigrateAsync(dataSource, CancellationToken.None);
    var lineage = new LineageRecorder(new LineageStore(dataSource, "account"), NullLogger<LineageRecorder>.Instance);
    if (writeLineage)
    {
        await lineage.StartAsync(CancellationToken.None);
    }

    var publisher = new OutboxPublisher(producer, lineage, meters.GetRequiredService<IMeterFactory>());
    var options = Options.Create(new RelayOptions { SlotName = $"bench_{Guid.NewGuid():N}" });
    var database = new AccountServices.AccountDatabase(connectionString);
    using var stop = new CancellationTokenSource();
    Task relaying = relay switch
    {
        RelayMode.Cdc => new CdcRelay(dataSource, database, publisher, options, NullLogger<CdcRelay>.Instance).RelayAsync(stop.Token),
        RelayMode.Polling => new PollingRelay(dataSource, database, publisher, options, NullLogger<PollingRelay>.Instance).StartAsync(stop.Token),
        _ => Task.CompletedTask,
    };
    if (relay == RelayMode.Cdc)
    {
        await WaitForSlotAsync(dataSource, options.Value.SlotName);
    }

    var commands = 0;
    var allCommands = 0;
    var stopwatch = Stopwatch.StartNew();
    var warm = TimeSpan.FromSeconds(warmupSeconds);
    var end = warm + TimeSpan.FromSeconds(seconds);
    var measured = Task.Run(async () =>
    {
        await Task.Delay(warm);
        // Commands from here on are counted; acknowledgements from here on are measured (a few of them for commands
        // committed at the very end of the warm-up).
        Interlocked.Exchange(ref commands, 0);
        Volatile.Write(ref measuring, true);
    });
    var workers = Enumerable.Range(0, workerCount).Select(worker => Task.Run(async () =>
    {
        var mine = 0L;
        while (stopwatch.Elapsed < end)
        {
            if (targetRate is { } perSecond)
            {
                // Paced: the n-th command of this worker is due at n / (rate / workers) seconds.
                var due = TimeSpan.FromSeconds(mine * (double)workerCount / perSecond);
                if (due > stopwatch.Elapsed)
                {
                    await Task.Delay(due - stopwatch.Elapsed);
                }
            }

            var id = Guid.CreateVersion7();
            await handler.ExecuteAsync(new AccountCommand(id, true, id.ToString(), "bench", null),
                _ => AccountDecisions.Open(id, "Bench", new ContactDetails("bench@example.com", null), new PostalAddress("s", "c", "p", "NL"), "EUR"),
                CancellationToken.None);
            mine++;
            Interlocked.Increment(ref commands);
            Interlocked.Increment(ref allCommands);
        }
    })).ToList();
    await Task.WhenAll(workers);
    await measured;
    var elapsed = stopwatch.Elapsed - warm;

    if (relay is not null)
    {
        // Let the relay finish what was committed, then stop it.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Volatile.Read(ref acked) < allCommands * 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    var drained = stopwatch.Elapsed - warm;
    await stop.CancelAsync();
    try
    {
        await relaying;
    }
    catch (OperationCanceledException)
    {
    }

    await lineage.StopAsync(CancellationToken.None);
    lineage.Dispose();
    return new RunResult(commands, elapsed, drained, [.. lags]);
}

static void Report(string name, RunResult run, RelayMode? relay)
{
    var lags = run.Lags.Order().ToArray();
    string At(double p) => lags.Length == 0 ? "" : lags[(int)Math.Min(lags.Length - 1, p * lags.Length)].ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    var acked = relay is null ? "" : (lags.Length / run.Drained.TotalSeconds).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    Console.WriteLine(System.FormattableString.Invariant(
        $"| {name} | {run.Commands:N0} | {run.CommandsPerSecond:N0} | {acked} | {At(0.5)} | {At(0.99)} | {(lags.Length == 0 ? "" : lags[^1].ToString("F1", System.Globalization.CultureInfo.InvariantCulture))} |"));
}

static async Task WaitForSlotAsync(NpgsqlDataSource dataSource, string slot)
{
    for (var i = 0; i < 300; i++)
    {
        // Streaming, not merely active: a slot being created is active too, and rows written then would be relayed
        // both by the new relay's catch-up from the table and from the WAL.
        await using var command = dataSource.CreateCommand(
            "SELECT s.active FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1");
        command.Parameters.Add(new() { Value = slot });
        if (await command.ExecuteScalarAsync() is true)
        {
            return;
        }

        await Task.Delay(100);
    }

    throw new TimeoutException($"Slot {slot} never started streaming.");
}

int Option(string name, int fallback) => int.TryParse(OptionText(name), out var value) ? value : fallback;

string? OptionText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

internal sealed record RunResult(int Commands, TimeSpan Elapsed, TimeSpan Drained, double[] Lags)
{
    public double CommandsPerSecond => Commands / Elapsed.TotalSeconds;
}

/// <summary>PostgreSQL (the machine's binaries, a throwaway cluster) and the local Kafka broker, as the tests start them.</summary>
internal sealed class Infrastructure : IAsyncDisposable
{
    private readonly LocalPostgresServer _postgres = new();
    private readonly LocalKafkaBroker _kafka = new();

    public string KafkaBootstrap => _kafka.BootstrapServers;

    public static async Task<Infrastructure> StartAsync()
    {
        var infrastructure = new Infrastructure();
        await Task.WhenAll(infrastructure._postgres.InitializeAsync().AsTask(), infrastructure._kafka.InitializeAsync().AsTask());
        await infrastructure._kafka.CreateTopicsAsync(EventDriven.Contracts.Topics.All);

        return infrastructure;
    }

    public Task<string> CreateDatabaseAsync() => _postgres.CreateDatabaseAsync($"bench_{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync()
    {
        await _kafka.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
