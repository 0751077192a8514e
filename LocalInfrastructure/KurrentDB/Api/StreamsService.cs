using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using EventDriven.LocalKurrentDB.Storage;
using Grpc.Core;

namespace EventDriven.LocalKurrentDB.Api;

/// <summary>The KurrentDB Streams service over the local <see cref="EventLog"/>: writes here, reads in the other parts.</summary>
internal sealed partial class StreamsService(EventLog log, TimeProvider time, IConfiguration configuration) : Streams.StreamsBase
{
    /// <summary>KurrentDB's default <c>MaxAppendSize</c>: the bytes (data, metadata and type) one append may carry.</summary>
    public const int DefaultMaxAppendSize = 1024 * 1024;

    private readonly int _maxAppendSize = configuration.GetValue("LocalKurrentDB:MaxAppendSize", DefaultMaxAppendSize);

    public override async Task<AppendResp> Append(IAsyncStreamReader<AppendReq> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.ContentCase != AppendReq.ContentOneofCase.Options)
        {
            throw Wire.InvalidArgument("An append starts with its options.");
        }

        var options = requestStream.Current.Options;
        var stream = Wire.StreamName(options.StreamIdentifier);
        var expected = options.ExpectedStreamRevisionCase switch
        {
            AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.Revision => new ExpectedState.Revision(options.Revision),
            AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.NoStream => new ExpectedState.NoStream(),
            AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.StreamExists => new ExpectedState.StreamExists(),
            _ => (ExpectedState)new ExpectedState.Any(),
        };

        var events = new List<ProposedEvent>();
        long size = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var message = requestStream.Current.ProposedMessage ?? throw Wire.InvalidArgument("Only proposed messages may follow the options.");
            if (!message.Metadata.TryGetValue("type", out var type) || !message.Metadata.TryGetValue("content-type", out var contentType))
            {
                throw Wire.MissingMetadata();
            }

            // Counted as KurrentDB counts it, and refused before anything is written, as it does.
            size += message.Data.Length + message.CustomMetadata.Length + (2L * type.Length);
            if (size > _maxAppendSize)
            {
                throw Wire.MaximumAppendSizeExceeded(_maxAppendSize);
            }

            events.Add(new ProposedEvent(Wire.ToGuid(message.Id), type, contentType, message.CustomMetadata.Memory, message.Data.Memory));
        }

        return await log.AppendAsync(stream, expected, events, context.CancellationToken) switch
        {
            AppendOutcome.Success success => new AppendResp { Success = Succeeded(success) },
            AppendOutcome.WrongExpectedVersion wrong => new AppendResp { WrongExpectedVersion = WrongVersion(wrong) },
            AppendOutcome.StreamDeleted => throw Wire.StreamDeleted(stream),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };
    }

    public override async Task<DeleteResp> Delete(DeleteReq request, ServerCallContext context)
    {
        var options = request.Options ?? throw Wire.InvalidArgument("Options are required.");
        var position = await DeleteAsync(
            Wire.StreamName(options.StreamIdentifier), Expected(options.ExpectedStreamRevisionCase.ToString(), options.Revision), tombstone: false, context);
        return new DeleteResp { Position = new DeleteResp.Types.Position { CommitPosition = position, PreparePosition = position } };
    }

    public override async Task<TombstoneResp> Tombstone(TombstoneReq request, ServerCallContext context)
    {
        var options = request.Options ?? throw Wire.InvalidArgument("Options are required.");
        var position = await DeleteAsync(
            Wire.StreamName(options.StreamIdentifier), Expected(options.ExpectedStreamRevisionCase.ToString(), options.Revision), tombstone: true, context);
        return new TombstoneResp { Position = new TombstoneResp.Types.Position { CommitPosition = position, PreparePosition = position } };
    }

    private async Task<ulong> DeleteAsync(string stream, ExpectedState expected, bool tombstone, ServerCallContext context) =>
        await log.DeleteAsync(stream, expected, tombstone, context.CancellationToken) switch
        {
            DeleteOutcome.Success success => success.Position,
            DeleteOutcome.WrongExpectedVersion wrong => throw Wire.WrongExpectedVersion(stream, wrong.Current, wrong.Expected),
            DeleteOutcome.StreamDeleted => throw Wire.StreamDeleted(stream),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };

    /// <summary>Delete and Tombstone options have the same oneof under different generated enums; their case names match.</summary>
    private static ExpectedState Expected(string @case, ulong revision) => @case switch
    {
        "Revision" => new ExpectedState.Revision(revision),
        "NoStream" => new ExpectedState.NoStream(),
        "StreamExists" => new ExpectedState.StreamExists(),
        _ => new ExpectedState.Any(),
    };

    private static AppendResp.Types.Success Succeeded(AppendOutcome.Success success)
    {
        var result = new AppendResp.Types.Success
        {
            Position = new AppendResp.Types.Position { CommitPosition = success.Position, PreparePosition = success.Position },
        };
        if (success.CurrentRevision is { } revision)
        {
            result.CurrentRevision = revision;
        }
        else
        {
            result.NoStream = new Empty();
        }

        return result;
    }

    /// <summary>Both the current fields (6-11) and the pre-20.6 ones (1-5), as KurrentDB fills them.</summary>
    private static AppendResp.Types.WrongExpectedVersion WrongVersion(AppendOutcome.WrongExpectedVersion wrong)
    {
        var result = new AppendResp.Types.WrongExpectedVersion();
        if (wrong.Current.Revision is { } current)
        {
            result.CurrentRevision = current;
            result.CurrentRevision2060 = current;
        }
        else
        {
            result.CurrentNoStream = new Empty();
            result.NoStream2060 = new Empty();
        }

        switch (wrong.Expected)
        {
            case ExpectedState.Revision r:
                result.ExpectedRevision = r.Value;
                result.ExpectedRevision2060 = r.Value;
                break;
            case ExpectedState.NoStream:
                result.ExpectedNoStream = new Empty();
                break;
            case ExpectedState.StreamExists:
                result.ExpectedStreamExists = new Empty();
                result.StreamExists2060 = new Empty();
                break;
            default:
                result.ExpectedAny = new Empty();
                result.Any2060 = new Empty();
                break;
        }

        return result;
    }
}
