using System.Collections.Concurrent;
using System.Diagnostics;
using EventDriven.KurrentDB.Client;
using EventDriven.Tests;

// Starts the local KurrentDB server on a fresh folder (fsync on, as always), then measures it through the client.
// Options: --events N (batched appends, default 200000), --singles N (default 5000).
var batchedEvents = Option("--events", 200_000);
var singleEvents = Option("--singles", 5_000);
var payload = new byte[256];
Random.Shared.NextBytes(payload);

// The same process and fresh folder the tests use; it answers its health endpoint before this goes on.
await using var server = new LocalKurrentDBServer();
await server.InitializeAsync();
await using var client = new KurrentDBClient(KurrentDBClientSettings.Create(server.ConnectionString));
Console.WriteLine($"Local KurrentDB server, {Environment.ProcessorCount} cores, data in {server.DataDirectory}");
Console.WriteLine();
Console.WriteLine("| measurement | events | seconds | events/s | p50 ms | p99 ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");

await MeasureAppendsAsync("single-event appends, 1 writer", client, writers: 1, batchSize: 1, total: singleEvents / 5);
await MeasureAppendsAsync("single-event appends, 32 writers", client, writers: 32, batchSize: 1, total: singleEvents);
await MeasureAppendsAsync("batched appends (100/batch), 8 writers", client, writers: 8, batchSize: 100, total: batchedEvents);
await MeasureCatchUpAsync(client);
await MeasureSubscriptionLatencyAsync(client, count: 1_000);

async Task MeasureAppendsAsync(string name, KurrentDBClient client, int writers, int batchSize, int total)
{
    var latencies = new ConcurrentBag<double>();
    var perWriter = total / writers / batchSize;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
    {
        var stream = $"bench-{Guid.NewGuid():N}";
        var expected = StreamState.NoStream;
        for (var i = 0; i < perWriter; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await client.AppendToStreamAsync(stream, expected, Enumerable.Range(0, batchSize).Select(_ => Event()));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            expected = StreamState.StreamRevision(result.NextExpectedStreamRevision.ToUInt64());
        }
    }));
    Report(name, perWriter * writers * batchSize, stopwatch.Elapsed, [.. latencies]);
}

async Task MeasureCatchUpAsync(KurrentDBClient client)
{
    var stopwatch = Stopwatch.StartNew();
    var count = 0L;
    await foreach (var _ in client.ReadAllAsync(Direction.Forwards, Position.Start))
    {
        count++;
    }

    Report("$all catch-up read, forwards from the start", count, stopwatch.Elapsed, []);
}

async Task MeasureSubscriptionLatencyAsync(KurrentDBClient client, int count)
{
    var stream = $"latency-{Guid.NewGuid():N}";
    var sent = new ConcurrentDictionary<Guid, long>();
    var latencies = new ConcurrentBag<double>();
    var done = new TaskCompletionSource();
    var live = new TaskCompletionSource();
    await using var subscription = client.SubscribeToAll(FromAll.End, filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(stream)));
    var consuming = Task.Run(async () =>
    {
        await foreach (var message in subscription.Messages)
        {
            if (message is StreamMessage.CaughtUp)
            {
                live.TrySetResult();
            }

            if (message is StreamMessage.Event { ResolvedEvent: var resolved } && sent.TryGetValue(resolved.Event.EventId.ToGuid(), out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                if (latencies.Count == count)
                {
                    done.TrySetResult();
                    return;
                }
            }
        }
    });

    // Appends start once the subscription is live, so every one of them is delivered by the live path.
    await live.Task.WaitAsync(TimeSpan.FromSeconds(30));
    var stopwatch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var data = Event();
        sent[data.EventId.ToGuid()] = Stopwatch.GetTimestamp();
        await client.AppendToStreamAsync(stream, StreamState.Any, [data]);
    }

    await done.Task.WaitAsync(TimeSpan.FromMinutes(1));
    Report("subscription delivery (append start → delivered)", count, stopwatch.Elapsed, [.. latencies]);
    await consuming;
}

EventData Event() => new(Uuid.NewUuid(), "BenchmarkEvent", payload, contentType: "application/octet-stream");

static void Report(string name, long events, TimeSpan elapsed, double[] latencies)
{
    Array.Sort(latencies);
    string Percentile(double p) => latencies.Length == 0 ? "" : latencies[(int)Math.Min(latencies.Length - 1, p * latencies.Length)].ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
    Console.WriteLine(System.FormattableString.Invariant(
        $"| {name} | {events:N0} | {elapsed.TotalSeconds:F2} | {events / elapsed.TotalSeconds:N0} | {Percentile(0.50)} | {Percentile(0.99)} |"));
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
