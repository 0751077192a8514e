using System.Collections.Concurrent;
using System.Text;
using EventDriven.KurrentDB.Client;
using EventDriven.Tests;

namespace EventDriven.KurrentDB.Tests;

/// <summary>The local server killed outright in the middle of a stream of appends, then started again on its folder.</summary>
public sealed class CrashTests
{
    private const int Writers = 4;
    private const int BatchSize = 5;
    private const int AcknowledgedBeforeKill = 300;

    [Fact]
    public async Task Every_acknowledged_event_survives_a_kill_in_order_and_nothing_unacknowledged_is_half_there()
    {
        await using var server = new LocalKurrentDBServer();
        await server.InitializeAsync();
        var run = Guid.NewGuid().ToString("N");
        var acknowledged = new ConcurrentDictionary<string, List<Guid>>();
        var attempted = new ConcurrentDictionary<string, List<Guid>>();
        var total = 0;
        var enough = new TaskCompletionSource();

        await using (var client = new KurrentDBClient(KurrentDBClientSettings.Create(server.ConnectionString)))
        {
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var stream = $"crash-{run}-{w}";
                var (acked, tried) = (acknowledged.GetOrAdd(stream, _ => []), attempted.GetOrAdd(stream, _ => []));
                var expected = StreamState.NoStream;
                try
                {
                    while (true)
                    {
                        var batch = Enumerable.Range(0, BatchSize).Select(_ => Event(Uuid.NewUuid())).ToList();
                        tried.AddRange(batch.Select(e => e.EventId.ToGuid()));
                        var result = await client.AppendToStreamAsync(stream, expected, batch);
                        acked.AddRange(batch.Select(e => e.EventId.ToGuid()));
                        expected = StreamState.StreamRevision(result.NextExpectedStreamRevision.ToUInt64());
                        if (Interlocked.Add(ref total, BatchSize) >= AcknowledgedBeforeKill)
                        {
                            enough.TrySetResult();
                        }
                    }
                }
                catch (Exception) when (enough.Task.IsCompleted)
                {
                    // The server died under this writer: what it sent last may or may not have landed.
                }
            })).ToList();

            await enough.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            await server.KillAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        }

        await server.StartAsync();
        await using var reader = new KurrentDBClient(KurrentDBClientSettings.Create(server.ConnectionString));
        foreach (var (stream, acked) in acknowledged)
        {
            var stored = await reader.ReadStreamAsync(Direction.Forwards, stream, StreamPosition.Start, cancellationToken: TestContext.Current.CancellationToken)
                .ToListAsync(TestContext.Current.CancellationToken);
            var ids = stored.Select(e => e.Event.EventId.ToGuid()).ToList();

            // Every acknowledged event is there, first and in order; anything after it was sent whole, in order.
            Assert.Equal(acked, ids.Take(acked.Count));
            Assert.Equal(ids, attempted[stream].Take(ids.Count));
            Assert.Equal(0, ids.Count % BatchSize);
            Assert.All(stored, e => Assert.Equal(Payload(e.Event.EventId), Encoding.UTF8.GetString(e.Event.Data.Span)));
        }

        Assert.True(acknowledged.Values.Sum(a => a.Count) >= AcknowledgedBeforeKill);
    }

    private static EventData Event(Uuid id) => new(id, "Appended", Encoding.UTF8.GetBytes(Payload(id)));

    private static string Payload(Uuid id) => $$"""{"id":"{{id}}","padding":"{{new string('x', 200)}}"}""";
}
