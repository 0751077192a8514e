using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EventDriven.LocalKurrentDB.Storage;

/// <summary>
/// A durable, append-only event log with per-stream indexes, the storage of the local KurrentDB stand-in.
/// <para>
/// One writer task takes every pending append and delete, checks each against the streams' state (including the
/// writes ahead of it in the same batch), writes the batch, fsyncs once, and only then makes it visible and answers
/// the callers: group commit, so many concurrent appends share one fsync. Readers see only what is on disk.
/// </para>
/// <para>
/// The whole log is also kept in memory (reads never touch the disk). That suits one machine's development and test
/// volumes, not production ones.
/// </para>
/// </summary>
public sealed partial class EventLog : IAsyncDisposable
{
    private const int MaxBatch = 4096;

    /// <summary>Writes waiting for the writer beyond this wait to be queued (back-pressure, not unbounded memory).</summary>
    private const int MaxQueued = 4 * MaxBatch;

    private readonly FileStream _file;
    private readonly Channel<WriteRequest> _requests = Channel.CreateBounded<WriteRequest>(
        new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private readonly Lock _gate = new();
    private readonly List<EventRecord> _all = [];
    private readonly Dictionary<string, StreamIndex> _streams = new(StringComparer.Ordinal);
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EventLog(FileStream file, ILogger logger, TimeProvider time)
    {
        _file = file;
        _logger = logger;
        _time = time;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The position the next record will have; also the <c>$all</c> end position.</summary>
    public ulong EndPosition { get; private set; }

    /// <summary>Opens (or creates) the log in <paramref name="directory"/>, recovering every record written whole.</summary>
    public static EventLog Open(string directory, ILogger logger, TimeProvider? time = null)
    {
        // Private from the first byte: the folder and the log are created readable by their owner only.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // The parents as usual (as root, the postgres user must be able to pass through them), this one private.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // A log made before that: made private now.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (File.Exists(Path.Combine(directory, "events.log")))
            {
                File.SetUnixFileMode(Path.Combine(directory, "events.log"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var path = Path.Combine(directory, "events.log");
        var file = OperatingSystem.IsWindows()
            ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None)
            : new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.Read,
                BufferSize = 1,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        var log = new EventLog(file, logger, time ?? TimeProvider.System);
        try
        {
            log.Recover(path);
        }
        catch
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return log;
    }

    /// <summary>Appends <paramref name="events"/> to <paramref name="stream"/> if its state is <paramref name="expected"/>; durable when it returns success.</summary>
    public Task<AppendOutcome> AppendAsync(string stream, ExpectedState expected, IReadOnlyList<ProposedEvent> events, CancellationToken cancellationToken = default)
    {
        var request = new WriteRequest.Append(stream, expected, events);
        return EnqueueAsync<AppendOutcome>(request, cancellationToken);
    }

    /// <summary>Soft-deletes (the stream may be written again, its old events are gone) or tombstones (never again) a stream.</summary>
    public Task<DeleteOutcome> DeleteAsync(string stream, ExpectedState expected, bool tombstone, CancellationToken cancellationToken = default)
    {
        var request = new WriteRequest.Delete(stream, expected, tombstone);
        return EnqueueAsync<DeleteOutcome>(request, cancellationToken);
    }

    /// <summary>A stream's events from <paramref name="fromRevision"/> in the direction asked, at most <paramref name="maxCount"/>.</summary>
    public StreamRead ReadStream(string stream, ulong? fromRevision, bool forwards, ulong maxCount)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var index))
            {
                return new StreamRead.NotFound();
            }

            if (index.Tombstoned)
            {
                return new StreamRead.Deleted();
            }

            var visible = index.Events;
            if (visible.Count == 0)
            {
                return new StreamRead.NotFound();
            }

            // Revisions of live events are dense, so a revision maps to an index by subtraction.
            var first = _all[visible[0]].Revision;
            var last = (ulong)visible.Count - 1;
            var events = new List<EventRecord>();
            if (forwards)
            {
                var start = fromRevision is not { } from || from < first ? 0UL : from - first;
                for (var i = start; i <= last && (ulong)events.Count < maxCount; i++)
                {
                    events.Add(_all[visible[(int)i]]);
                }
            }
            else if (fromRevision is not { } from || from >= first)
            {
                var start = fromRevision is { } at ? Math.Min(at - first, last) : last;
                for (var i = (long)start; i >= 0 && (ulong)events.Count < maxCount; i--)
                {
                    events.Add(_all[visible[(int)i]]);
                }
            }

            return new StreamRead.Found(events, _all[visible[^1]].Revision);
        }
    }

    /// <summary>
    /// Events of <c>$all</c> forwards from <paramref name="fromPosition"/> (inclusive), or backwards from before it
    /// (<see langword="null"/>: from the start, or from the end when reading backwards).
    /// </summary>
    public IReadOnlyList<EventRecord> ReadAll(ulong? fromPosition, bool forwards, int maxCount)
    {
        lock (_gate)
        {
            var result = new List<EventRecord>(Math.Min(maxCount, 1024));
            if (forwards)
            {
                for (var i = fromPosition is { } from ? FirstAtOrAfter(from) : 0; i < _all.Count && result.Count < maxCount; i++)
                {
                    result.Add(_all[i]);
                }
            }
            else
            {
                for (var i = (fromPosition is { } from ? FirstAtOrAfter(from) : _all.Count) - 1; i >= 0 && result.Count < maxCount; i--)
                {
                    result.Add(_all[i]);
                }
            }

            return result;
        }
    }

    /// <summary>
    /// Waits until something is committed after the caller last looked (the task it holds completes), for live
    /// subscriptions. Take the task before reading, so a commit between the read and the wait is not missed.
    /// </summary>
    public Task CommittedSignal
    {
        get
        {
            lock (_gate)
            {
                return _committed.Task;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _writer;
        await _file.DisposeAsync();
    }

    private async Task<T> EnqueueAsync<T>(WriteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(EventLog));
        }

        // A cancelled caller stops waiting; the write itself may still land, as with any server.
        return (T)await request.Completion.Task.WaitAsync(cancellationToken);
    }

    private int FirstAtOrAfter(ulong position)
    {
        int low = 0, high = _all.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_all[middle].Position < position)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private sealed class StreamIndex
    {
        /// <summary>Indexes into the log's event list of the stream's live events, in revision order.</summary>
        public List<int> Events { get; } = [];

        /// <summary>The revision of the newest event ever written, soft-deleted or not; new events continue after it.</summary>
        public ulong? LastRevision { get; set; }

        public bool Tombstoned { get; set; }

        /// <summary>What appends and deletes compare their expectation with: no stream until it has live events.</summary>
        public StreamRevisionState State => Events.Count == 0 ? StreamRevisionState.NoStream : new(LastRevision);
    }
}

public abstract record StreamRead
{
    public sealed record Found(IReadOnlyList<EventRecord> Events, ulong LastRevision) : StreamRead;

    public sealed record NotFound : StreamRead;

    public sealed record Deleted : StreamRead;
}
