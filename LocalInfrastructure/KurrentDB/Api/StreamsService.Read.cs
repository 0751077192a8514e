using System.Globalization;
using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using EventDriven.LocalKurrentDB.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Options = EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types.Options;

namespace EventDriven.LocalKurrentDB.Api;

internal sealed partial class StreamsService
{
    private const int PageSize = 512;

    public override Task Read(ReadReq request, IServerStreamWriter<ReadResp> responseStream, ServerCallContext context)
    {
        var options = request.Options ?? throw Wire.InvalidArgument("Options are required.");
        var reader = new ReadContext(options, responseStream, context.CancellationToken);
        return (options.StreamOptionCase, options.CountOptionCase) switch
        {
            (Options.StreamOptionOneofCase.Stream, Options.CountOptionOneofCase.Subscription) => SubscribeToStreamAsync(reader, options.Stream),
            (Options.StreamOptionOneofCase.All, Options.CountOptionOneofCase.Subscription) => SubscribeToAllAsync(reader, options.All),
            (Options.StreamOptionOneofCase.Stream, _) => ReadStreamAsync(reader, options.Stream),
            (Options.StreamOptionOneofCase.All, _) => ReadAllAsync(reader, options.All),
            _ => throw Wire.InvalidArgument("Read a stream or $all."),
        };
    }

    private async Task ReadStreamAsync(ReadContext reader, Options.Types.StreamOptions options)
    {
        var stream = Wire.StreamName(options.StreamIdentifier);
        var forwards = reader.Options.ReadDirection == Options.Types.ReadDirection.Forwards;
        ulong? from = options.RevisionOptionCase switch
        {
            Options.Types.StreamOptions.RevisionOptionOneofCase.Revision => options.Revision,
            Options.Types.StreamOptions.RevisionOptionOneofCase.End => forwards ? ulong.MaxValue : null,
            _ => forwards ? null : 0,
        };

        var count = reader.Options.CountOptionCase == Options.CountOptionOneofCase.Count ? reader.Options.Count : ulong.MaxValue;
        switch (log.ReadStream(stream, from, forwards, count))
        {
            case StreamRead.NotFound:
                await reader.WriteAsync(new ReadResp { StreamNotFound = new ReadResp.Types.StreamNotFound { StreamIdentifier = Wire.Identifier(stream) } });
                break;
            case StreamRead.Deleted:
                throw Wire.StreamDeleted(stream);
            case StreamRead.Found found:
                foreach (var record in found.Events)
                {
                    await reader.WriteEventAsync(record);
                }

                break;
        }
    }

    private async Task ReadAllAsync(ReadContext reader, Options.Types.AllOptions options)
    {
        var forwards = reader.Options.ReadDirection == Options.Types.ReadDirection.Forwards;
        ulong? from = options.AllOptionCase switch
        {
            Options.Types.AllOptions.AllOptionOneofCase.Position => options.Position.CommitPosition,
            Options.Types.AllOptions.AllOptionOneofCase.End => forwards ? log.EndPosition : null,
            _ => forwards ? null : 0,
        };

        var remaining = reader.Options.CountOptionCase == Options.CountOptionOneofCase.Count ? reader.Options.Count : ulong.MaxValue;
        while (remaining > 0)
        {
            var page = log.ReadAll(from, forwards, PageSize);
            foreach (var record in page)
            {
                if (reader.Filter.Matches(record))
                {
                    await reader.WriteEventAsync(record);
                    if (--remaining == 0)
                    {
                        return;
                    }
                }
            }

            if (page.Count < PageSize)
            {
                return;
            }

            from = forwards ? page[^1].Position + 1 : page[^1].Position;
        }
    }

    /// <summary>Confirmation, the stream's events after the start, <c>caught_up</c>, then new events as they are committed.</summary>
    private async Task SubscribeToStreamAsync(ReadContext reader, Options.Types.StreamOptions options)
    {
        var stream = Wire.StreamName(options.StreamIdentifier);
        await reader.ConfirmAsync();
        ulong? next = options.RevisionOptionCase switch
        {
            Options.Types.StreamOptions.RevisionOptionOneofCase.Revision => options.Revision + 1,
            Options.Types.StreamOptions.RevisionOptionOneofCase.End => null,
            _ => 0,
        };
        next ??= log.ReadStream(stream, null, forwards: false, 1) is StreamRead.Found { LastRevision: var last } ? last + 1 : 0;

        var caughtUp = false;
        while (!reader.Cancellation.IsCancellationRequested)
        {
            var signal = log.CommittedSignal;
            var read = log.ReadStream(stream, next, forwards: true, PageSize);
            if (read is StreamRead.Deleted)
            {
                throw Wire.StreamDeleted(stream);
            }

            var events = read is StreamRead.Found found ? found.Events : [];
            foreach (var record in events)
            {
                await reader.WriteEventAsync(record);
                next = record.Revision + 1;
            }

            if (events.Count == PageSize)
            {
                continue;
            }

            if (!caughtUp)
            {
                caughtUp = true;
                var caught = new ReadResp.Types.CaughtUp { Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
                if (next > 0)
                {
                    caught.StreamRevision = (long)next.Value - 1;
                }

                await reader.WriteAsync(new ReadResp { CaughtUp = caught });
            }

            await WaitAsync(signal, reader.Cancellation);
        }
    }

    /// <summary>
    /// Confirmation, <c>$all</c> after the start (filtered, with a checkpoint every window of examined events and at
    /// the end of each catch-up), <c>caught_up</c>, then new events as they are committed.
    /// </summary>
    private async Task SubscribeToAllAsync(ReadContext reader, Options.Types.AllOptions options)
    {
        await reader.ConfirmAsync();
        var next = options.AllOptionCase switch
        {
            Options.Types.AllOptions.AllOptionOneofCase.Position => options.Position.CommitPosition + 1,
            Options.Types.AllOptions.AllOptionOneofCase.End => log.EndPosition,
            _ => 0UL,
        };

        var filtered = reader.Options.FilterOptionCase == Options.FilterOptionOneofCase.Filter;
        var checkpointEvery = filtered ? reader.Filter.CheckpointInterval : 0;
        var examined = 0;
        ulong? lastExamined = null;
        var caughtUp = false;
        while (!reader.Cancellation.IsCancellationRequested)
        {
            var signal = log.CommittedSignal;
            var page = log.ReadAll(next, forwards: true, PageSize);
            foreach (var record in page)
            {
                if (reader.Filter.Matches(record))
                {
                    await reader.WriteEventAsync(record);
                }

                lastExamined = record.Position;
                next = record.Position + 1;
                if (filtered && ++examined >= checkpointEvery)
                {
                    examined = 0;
                    await reader.CheckpointAsync(record.Position);
                }
            }

            if (page.Count == PageSize)
            {
                continue;
            }

            if (filtered && examined > 0 && lastExamined is { } position)
            {
                examined = 0;
                await reader.CheckpointAsync(position);
            }

            if (!caughtUp)
            {
                caughtUp = true;
                var end = log.EndPosition;
                await reader.WriteAsync(new ReadResp
                {
                    CaughtUp = new ReadResp.Types.CaughtUp
                    {
                        Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                        Position = new ReadResp.Types.Position { CommitPosition = end, PreparePosition = end },
                    },
                });
            }

            await WaitAsync(signal, reader.Cancellation);
        }
    }

    private static async Task WaitAsync(Task signal, CancellationToken cancellation)
    {
        try
        {
            await signal.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            // The subscriber went away; the loop ends.
        }
    }

    /// <summary>One read call: its options, how it wants ids, its filter, and where it writes.</summary>
    private sealed class ReadContext(Options options, IServerStreamWriter<ReadResp> output, CancellationToken cancellation)
    {
        private readonly bool _uuidsAsStrings = options.UuidOption?.ContentCase == Options.Types.UUIDOption.ContentOneofCase.String;

        public Options Options { get; } = options;

        public CancellationToken Cancellation { get; } = cancellation;

        public EventFilter Filter { get; } = EventFilter.From(options);

        public Task WriteAsync(ReadResp response) => output.WriteAsync(response, Cancellation);

        public Task ConfirmAsync() =>
            WriteAsync(new ReadResp { Confirmation = new ReadResp.Types.SubscriptionConfirmation { SubscriptionId = Guid.NewGuid().ToString() } });

        public Task CheckpointAsync(ulong position) => WriteAsync(new ReadResp
        {
            Checkpoint = new ReadResp.Types.Checkpoint { CommitPosition = position, PreparePosition = position, Timestamp = Timestamp.FromDateTime(DateTime.UtcNow) },
        });

        public Task WriteEventAsync(EventRecord record) => WriteAsync(new ReadResp
        {
            Event = new ReadResp.Types.ReadEvent
            {
                Event = new ReadResp.Types.ReadEvent.Types.RecordedEvent
                {
                    Id = Wire.ToUuid(record.EventId, _uuidsAsStrings),
                    StreamIdentifier = Wire.Identifier(record.Stream),
                    StreamRevision = record.Revision,
                    CommitPosition = record.Position,
                    PreparePosition = record.Position,
                    Metadata =
                    {
                        ["type"] = record.EventType,
                        ["content-type"] = record.ContentType,
                        ["created"] = record.CreatedTicks.ToString(CultureInfo.InvariantCulture),
                    },
                    CustomMetadata = UnsafeByteOperations.UnsafeWrap(record.CustomMetadata),
                    Data = UnsafeByteOperations.UnsafeWrap(record.Data),
                },
                CommitPosition = record.Position,
            },
        });
    }
}
