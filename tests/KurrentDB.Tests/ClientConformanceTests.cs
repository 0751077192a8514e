using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EventDriven.KurrentDB.Client;
using EventDriven.Tests;

namespace EventDriven.KurrentDB.Tests;

/// <summary>The project's C# client through the same scenarios as the official Node client, against the local server.</summary>
[Collection(KurrentDBServerCollection.Name)]
public sealed class ClientConformanceTests(LocalKurrentDBServer server) : IAsyncLifetime
{
    private KurrentDBClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _client = new KurrentDBClient(KurrentDBClientSettings.Create(server.ConnectionString));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Fact]
    public async Task Append_with_each_expected_state()
    {
        var stream = Unique("append");

        var created = await _client.AppendToStreamAsync(stream, StreamState.NoStream, [Event("Opened")], cancellationToken: Ct);
        var exact = await _client.AppendToStreamAsync(stream, StreamRevision.FromInt64(0), [Event("Deposited"), Event("Deposited")], cancellationToken: Ct);
        var exists = await _client.AppendToStreamAsync(stream, StreamState.StreamExists, [Event("Withdrawn")], cancellationToken: Ct);
        var any = await _client.AppendToStreamAsync(stream, StreamState.Any, [Event("Withdrawn")], cancellationToken: Ct);

        Assert.Equal([0UL, 2UL, 3UL, 4UL], new[] { created, exact, exists, any }.Select(r => r.NextExpectedStreamRevision.ToUInt64()));
        Assert.True(any.LogPosition > created.LogPosition);
        var events = await ReadAsync(stream);
        Assert.Equal(["Opened", "Deposited", "Deposited", "Withdrawn", "Withdrawn"], events.Select(e => e.Event.EventType));
        Assert.Equal([0UL, 1UL, 2UL, 3UL, 4UL], events.Select(e => e.Event.EventNumber.ToUInt64()));
    }

    [Fact]
    public async Task Wrong_expected_version_is_refused_with_both_versions_and_writes_nothing()
    {
        var stream = Unique("wrong-version");
        await _client.AppendToStreamAsync(stream, StreamState.Any, [Event("A"), Event("B")], cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _client.AppendToStreamAsync(stream, StreamRevision.FromInt64(0), [Event("C")], cancellationToken: Ct));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _client.AppendToStreamAsync(stream, StreamState.NoStream, [Event("C")], cancellationToken: Ct));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() =>
            _client.AppendToStreamAsync(Unique("missing"), StreamState.StreamExists, [Event("C")], cancellationToken: Ct));

        Assert.Equal(stream, error.StreamName);
        Assert.Contains("1", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await ReadAsync(stream)).Count);
    }

    [Fact]
    public async Task An_append_over_the_maximum_append_size_is_refused_whole_and_writes_nothing()
    {
        var stream = Unique("too-big");
        var half = new byte[512 * 1024];

        var error = await Assert.ThrowsAsync<MaximumAppendSizeExceededException>(() => _client.AppendToStreamAsync(
            stream, StreamState.Any, [new EventData(Uuid.NewUuid(), "Big", half), new EventData(Uuid.NewUuid(), "Big", half)], cancellationToken: Ct));

        Assert.Equal(1024 * 1024, error.MaxAppendSize);
        await Assert.ThrowsAsync<StreamNotFoundException>(() => ReadAsync(stream));
        var fits = await _client.AppendToStreamAsync(stream, StreamState.NoStream, [new EventData(Uuid.NewUuid(), "Big", half)], cancellationToken: Ct);
        Assert.Equal(0UL, fits.NextExpectedStreamRevision.ToUInt64());
    }

    [Fact]
    public async Task Re_appending_the_same_event_ids_has_the_effect_of_one_append()
    {
        var stream = Unique("idempotent");
        EventData[] events = [Event("A"), Event("B")];

        var first = await _client.AppendToStreamAsync(stream, StreamState.NoStream, events, cancellationToken: Ct);
        var again = await _client.AppendToStreamAsync(stream, StreamState.NoStream, events, cancellationToken: Ct);

        Assert.Equal(first.NextExpectedStreamRevision, again.NextExpectedStreamRevision);
        Assert.Equal(events.Select(e => e.EventId), (await ReadAsync(stream)).Select(e => e.Event.EventId));
    }

    [Fact]
    public async Task Reads_go_forwards_and_backwards_from_a_revision()
    {
        var stream = Unique("read");
        await _client.AppendToStreamAsync(stream, StreamState.NoStream, Enumerable.Range(0, 5).Select(i => Event("Counted", i)), cancellationToken: Ct);

        var forwards = await _client.ReadStreamAsync(Direction.Forwards, stream, StreamPosition.FromInt64(1), maxCount: 3, cancellationToken: Ct).ToListAsync(Ct);
        var backwards = await _client.ReadStreamAsync(Direction.Backwards, stream, StreamPosition.End, maxCount: 2, cancellationToken: Ct).ToListAsync(Ct);
        var newestOfAll = await _client.ReadAllAsync(Direction.Backwards, Position.End, maxCount: 5, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([1, 2, 3], forwards.Select(Counter));
        Assert.Equal([4, 3], backwards.Select(Counter));
        Assert.Contains(newestOfAll, e => e.Event.EventStreamId == stream);
        Assert.Equal("application/json", forwards[0].Event.ContentType);
        Assert.True(forwards[0].Event.Created > DateTime.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Reading_a_missing_stream_says_so()
    {
        var result = _client.ReadStreamAsync(Direction.Forwards, Unique("missing"), StreamPosition.Start, cancellationToken: Ct);

        Assert.Equal(ReadState.StreamNotFound, await result.ReadState);
        await Assert.ThrowsAsync<StreamNotFoundException>(async () => await result.ToListAsync(Ct));
    }

    [Fact]
    public async Task A_deleted_stream_reads_as_missing_and_a_tombstoned_one_refuses_appends()
    {
        var deleted = Unique("deleted");
        await _client.AppendToStreamAsync(deleted, StreamState.Any, [Event("A")], cancellationToken: Ct);
        await _client.DeleteAsync(deleted, StreamState.Any, cancellationToken: Ct);
        Assert.Equal(ReadState.StreamNotFound, await _client.ReadStreamAsync(Direction.Forwards, deleted, StreamPosition.Start, cancellationToken: Ct).ReadState);

        var tombstoned = Unique("tombstoned");
        await _client.AppendToStreamAsync(tombstoned, StreamState.Any, [Event("A")], cancellationToken: Ct);
        await _client.TombstoneAsync(tombstoned, StreamState.Any, cancellationToken: Ct);
        await Assert.ThrowsAsync<StreamDeletedException>(() => _client.AppendToStreamAsync(tombstoned, StreamState.Any, [Event("B")], cancellationToken: Ct));
    }

    [Fact]
    public async Task An_all_subscription_catches_up_then_goes_live()
    {
        var stream = Unique("catch-up");
        await _client.AppendToStreamAsync(stream, StreamState.Any, [Event("Before")], cancellationToken: Ct);
        await using var subscription = _client.SubscribeToAll(FromAll.Start, filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(stream)), cancellationToken: Ct);
        await using var messages = subscription.Messages.GetAsyncEnumerator(Ct);

        Assert.IsType<StreamMessage.SubscriptionConfirmation>(await NextAsync(messages));
        Assert.Equal("Before", EventType(await NextNotCheckpointAsync(messages)));
        Assert.IsType<StreamMessage.CaughtUp>(await NextNotCheckpointAsync(messages));
        await _client.AppendToStreamAsync(stream, StreamState.Any, [Event("Live")], cancellationToken: Ct);
        Assert.Equal("Live", EventType(await NextNotCheckpointAsync(messages)));
    }

    [Fact]
    public async Task A_filtered_subscription_delivers_only_matches_and_checkpoints()
    {
        var prefix = Unique("filtered");
        for (var i = 0; i < 5; i++)
        {
            await _client.AppendToStreamAsync($"{prefix}-{i}", StreamState.Any, [Event("Wanted")], cancellationToken: Ct);
            await _client.AppendToStreamAsync(Unique("noise"), StreamState.Any, [Event("Unwanted")], cancellationToken: Ct);
        }

        await using var subscription = _client.SubscribeToAll(FromAll.Start,
            filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(prefix), checkpointInterval: 1), cancellationToken: Ct);
        var (events, checkpoints) = (new List<ResolvedEvent>(), new List<Position>());
        await foreach (var message in subscription.Messages.WithCancellation(Ct))
        {
            switch (message)
            {
                case StreamMessage.Event e:
                    events.Add(e.ResolvedEvent);
                    break;
                case StreamMessage.AllStreamCheckpointReached c:
                    checkpoints.Add(c.Position);
                    break;
                case StreamMessage.CaughtUp:
                    goto caughtUp;
            }
        }

    caughtUp:
        Assert.Equal(5, events.Count);
        Assert.All(events, e => Assert.StartsWith(prefix, e.Event.EventStreamId, StringComparison.Ordinal));
        Assert.NotEmpty(checkpoints);
        Assert.Equal(checkpoints.Order(), checkpoints);
    }

    [Fact]
    public async Task A_subscription_resumes_after_a_position()
    {
        var stream = Unique("resume");
        await _client.AppendToStreamAsync(stream, StreamState.NoStream, [Event("First"), Event("Second"), Event("Third")], cancellationToken: Ct);
        var first = (await ReadAsync(stream))[0];

        await using var subscription = _client.SubscribeToAll(FromAll.After(first.Event.Position),
            filterOptions: new SubscriptionFilterOptions(StreamFilter.Prefix(stream)), cancellationToken: Ct);
        var seen = new List<string>();
        await foreach (var message in subscription.Messages.WithCancellation(Ct))
        {
            if (message is StreamMessage.Event e)
            {
                seen.Add(e.ResolvedEvent.Event.EventType);
            }
            else if (message is StreamMessage.CaughtUp)
            {
                break;
            }
        }

        Assert.Equal(["Second", "Third"], seen);
    }

    [Fact]
    public async Task A_subscriber_continues_the_trace_of_the_append()
    {
        var stream = Unique("traced");
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KurrentDBTelemetry.ActivitySourceName || source.Name == "test.request",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (stopped) { stopped.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("test.request");

        ActivityTraceId trace;
        using (var request = requests.StartActivity("POST /deposits", ActivityKind.Server)!)
        {
            trace = request.TraceId;
            await _client.AppendToStreamAsync(stream, StreamState.NoStream, [Event("Deposited")], cancellationToken: Ct);
        }

        var stored = (await ReadAsync(stream))[0];
        using var process = KurrentDBTelemetry.StartProcess(stored);

        Activity append;
        lock (stopped)
        {
            // Only this test's append: tests in other classes (the crash test, say) append at the same time.
            append = Assert.Single(stopped, a => a.Kind == ActivityKind.Client && a.DisplayName == $"streams.append {stream}");
        }

        Assert.Equal(trace, append.TraceId);
        using var metadata = JsonDocument.Parse(stored.Event.Metadata);
        Assert.StartsWith($"00-{trace}-", metadata.RootElement.GetProperty("traceparent").GetString(), StringComparison.Ordinal);
        Assert.NotNull(process);
        Assert.Equal(trace, process.TraceId);
        Assert.Equal(append.SpanId, process.ParentSpanId);
    }

    private async Task<List<ResolvedEvent>> ReadAsync(string stream) =>
        await _client.ReadStreamAsync(Direction.Forwards, stream, StreamPosition.Start, cancellationToken: Ct).ToListAsync(Ct);

    private static async Task<StreamMessage> NextAsync(IAsyncEnumerator<StreamMessage> messages)
    {
        Assert.True(await messages.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15), Ct));
        return messages.Current;
    }

    private static async Task<StreamMessage> NextNotCheckpointAsync(IAsyncEnumerator<StreamMessage> messages)
    {
        while (true)
        {
            var message = await NextAsync(messages);
            if (message is not StreamMessage.AllStreamCheckpointReached)
            {
                return message;
            }
        }
    }

    private static string EventType(StreamMessage message) => Assert.IsType<StreamMessage.Event>(message).ResolvedEvent.Event.EventType;

    private static int Counter(ResolvedEvent e) => JsonDocument.Parse(e.Event.Data).RootElement.GetProperty("i").GetInt32();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static EventData Event(string type, int i = 0) =>
        new(Uuid.NewUuid(), type, Encoding.UTF8.GetBytes($$"""{"i":{{i}}}"""));
}
