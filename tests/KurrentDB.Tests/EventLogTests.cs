using System.Text;
using EventDriven.LocalKurrentDB.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventDriven.KurrentDB.Tests;

/// <summary>The local server's storage on a real file: expected states, idempotency, deletion, recovery.</summary>
public sealed class EventLogTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eventlog-").FullName;
    private EventLog _log = null!;

    public ValueTask InitializeAsync()
    {
        _log = EventLog.Open(_directory, NullLogger.Instance);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Appends_number_each_stream_from_zero_and_order_all_by_position()
    {
        var first = await _log.AppendAsync("ledger-1", new ExpectedState.NoStream(), [Event("Opened"), Event("Deposited")], Ct);
        var second = await _log.AppendAsync("ledger-2", new ExpectedState.Any(), [Event("Opened")], Ct);
        var third = await _log.AppendAsync("ledger-1", new ExpectedState.Revision(1), [Event("Withdrawn")], Ct);

        Assert.Equal(1UL, Assert.IsType<AppendOutcome.Success>(first).CurrentRevision);
        Assert.Equal(0UL, Assert.IsType<AppendOutcome.Success>(second).CurrentRevision);
        Assert.Equal(2UL, Assert.IsType<AppendOutcome.Success>(third).CurrentRevision);
        var stream = Assert.IsType<StreamRead.Found>(_log.ReadStream("ledger-1", null, forwards: true, ulong.MaxValue));
        Assert.Equal(["Opened", "Deposited", "Withdrawn"], stream.Events.Select(e => e.EventType));
        Assert.Equal([0UL, 1UL, 2UL], stream.Events.Select(e => e.Revision));
        var all = _log.ReadAll(null, forwards: true, int.MaxValue);
        Assert.Equal(["ledger-1", "ledger-1", "ledger-2", "ledger-1"], all.Select(e => e.Stream));
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.Position < pair.Second.Position));
    }

    [Fact]
    public async Task A_wrong_expected_state_writes_nothing_and_reports_the_current_revision()
    {
        await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("A"), Event("B")], Ct);

        var stale = await _log.AppendAsync("s", new ExpectedState.Revision(0), [Event("C")], Ct);
        var notNew = await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("C")], Ct);
        var missing = await _log.AppendAsync("other", new ExpectedState.StreamExists(), [Event("C")], Ct);

        Assert.Equal(1UL, Assert.IsType<AppendOutcome.WrongExpectedVersion>(stale).Current.Revision);
        Assert.Equal(1UL, Assert.IsType<AppendOutcome.WrongExpectedVersion>(notNew).Current.Revision);
        Assert.Null(Assert.IsType<AppendOutcome.WrongExpectedVersion>(missing).Current.Revision);
        Assert.Equal(2, _log.ReadAll(null, true, int.MaxValue).Count);
    }

    [Fact]
    public async Task Re_sending_an_append_of_the_same_event_ids_answers_as_the_first_did_and_writes_nothing()
    {
        ProposedEvent[] events = [Event("A"), Event("B")];
        var original = Assert.IsType<AppendOutcome.Success>(await _log.AppendAsync("s", new ExpectedState.NoStream(), events, Ct));

        var again = await _log.AppendAsync("s", new ExpectedState.NoStream(), events, Ct);
        var againAny = await _log.AppendAsync("s", new ExpectedState.Any(), events, Ct);

        Assert.Equal(original, again);
        Assert.Equal(original, againAny);
        Assert.Equal(2, _log.ReadAll(null, true, int.MaxValue).Count);
    }

    [Fact]
    public async Task Concurrent_appends_with_the_same_expected_revision_let_exactly_one_through()
    {
        await _log.AppendAsync("hot", new ExpectedState.NoStream(), [Event("Opened")], Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _log.AppendAsync("hot", new ExpectedState.Revision(0), [Event("Withdrawn")], Ct)));

        Assert.Single(outcomes, o => o is AppendOutcome.Success);
        Assert.Equal(49, outcomes.Count(o => o is AppendOutcome.WrongExpectedVersion));
    }

    [Fact]
    public async Task A_soft_deleted_stream_reads_as_missing_and_continues_its_revisions_when_written_again()
    {
        await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("A"), Event("B")], Ct);

        Assert.IsType<DeleteOutcome.Success>(await _log.DeleteAsync("s", new ExpectedState.Revision(1), tombstone: false, Ct));
        Assert.IsType<StreamRead.NotFound>(_log.ReadStream("s", null, true, ulong.MaxValue));

        var again = Assert.IsType<AppendOutcome.Success>(await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("C")], Ct));
        Assert.Equal(2UL, again.CurrentRevision);
        Assert.Equal(["C"], Assert.IsType<StreamRead.Found>(_log.ReadStream("s", null, true, ulong.MaxValue)).Events.Select(e => e.EventType));
    }

    [Fact]
    public async Task A_tombstoned_stream_refuses_reads_and_writes_for_good()
    {
        await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("A")], Ct);

        Assert.IsType<DeleteOutcome.Success>(await _log.DeleteAsync("s", new ExpectedState.Any(), tombstone: true, Ct));

        Assert.IsType<StreamRead.Deleted>(_log.ReadStream("s", null, true, ulong.MaxValue));
        Assert.IsType<AppendOutcome.StreamDeleted>(await _log.AppendAsync("s", new ExpectedState.Any(), [Event("B")], Ct));
        await ReopenAsync();
        Assert.IsType<StreamRead.Deleted>(_log.ReadStream("s", null, true, ulong.MaxValue));
    }

    [Fact]
    public async Task Reopening_recovers_every_stream_and_every_position()
    {
        for (var i = 0; i < 20; i++)
        {
            await _log.AppendAsync($"s-{i % 3}", new ExpectedState.Any(), [Event($"E{i}", $"payload {i}")], Ct);
        }

        var before = _log.ReadAll(null, true, int.MaxValue);
        await ReopenAsync();

        var after = _log.ReadAll(null, true, int.MaxValue);
        Assert.Equal(before.Select(Describe), after.Select(Describe));
        // s-0 holds events 0, 3, …, 18: revisions 0-6, so the next append expects 6.
        Assert.Equal(7UL, Assert.IsType<AppendOutcome.Success>(await _log.AppendAsync("s-0", new ExpectedState.Revision(6), [Event("Next")], Ct)).CurrentRevision);
    }

    [Fact]
    public async Task A_torn_write_at_the_tail_is_cut_off_and_never_served()
    {
        await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("Whole")], Ct);
        var end = _log.EndPosition;
        await _log.DisposeAsync();

        // Half a record: a crash in the middle of a write that was never acknowledged.
        await using (var file = new FileStream(Path.Combine(_directory, "events.log"), FileMode.Append))
        {
            await file.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 5, 6 }, TestContext.Current.CancellationToken);
        }

        _log = EventLog.Open(_directory, NullLogger.Instance);

        Assert.Equal(end, _log.EndPosition);
        Assert.Equal((long)end, new FileInfo(Path.Combine(_directory, "events.log")).Length);
        Assert.Equal(["Whole"], _log.ReadAll(null, true, int.MaxValue).Select(e => e.EventType));
        Assert.IsType<AppendOutcome.Success>(await _log.AppendAsync("s", new ExpectedState.Revision(0), [Event("After")], Ct));
    }

    [Fact]
    public async Task A_damaged_record_with_whole_records_after_it_stops_the_log_from_opening_and_deletes_nothing()
    {
        await _log.AppendAsync("s", new ExpectedState.NoStream(), [Event("First", "payload one")], Ct);
        var second = _log.EndPosition;
        await _log.AppendAsync("s", new ExpectedState.Revision(0), [Event("Second", "payload two")], Ct);
        await _log.AppendAsync("s", new ExpectedState.Revision(1), [Event("Third", "payload three")], Ct);
        await _log.DisposeAsync();

        // One flipped bit inside the second record's payload: acknowledged data, damaged, with a whole record after it.
        var path = Path.Combine(_directory, "events.log");
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[(int)second + 20] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var refused = Assert.Throws<InvalidDataException>(() => EventLog.Open(_directory, NullLogger.Instance));

        Assert.Contains($"position {second}", refused.Message);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Ct));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_log_s_folder_and_file_are_private_from_the_start()
    {
        var directory = Path.Combine(_directory, "fresh");
        await using var log = EventLog.Open(directory, NullLogger.Instance);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "events.log")));
    }

    [Fact]
    public async Task All_reads_backwards_from_a_position_exclude_it()
    {
        await _log.AppendAsync("s", new ExpectedState.Any(), [Event("A"), Event("B"), Event("C")], Ct);
        var all = _log.ReadAll(null, true, int.MaxValue);

        Assert.Equal(["C", "B", "A"], _log.ReadAll(null, forwards: false, int.MaxValue).Select(e => e.EventType));
        Assert.Equal(["B", "A"], _log.ReadAll(all[2].Position, forwards: false, int.MaxValue).Select(e => e.EventType));
        Assert.Equal(["B", "C"], _log.ReadAll(all[1].Position, forwards: true, int.MaxValue).Select(e => e.EventType));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task ReopenAsync()
    {
        await _log.DisposeAsync();
        _log = EventLog.Open(_directory, NullLogger.Instance);
    }

    private static string Describe(EventRecord e) => $"{e.Position} {e.Stream}@{e.Revision} {e.EventId} {e.EventType} {Encoding.UTF8.GetString(e.Data.Span)}";

    private static ProposedEvent Event(string type, string data = "{}") =>
        new(Guid.NewGuid(), type, "application/json", ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(data));
}
