using System.Diagnostics;
using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using Google.Protobuf;

namespace EventDriven.KurrentDB.Client;

/// <summary>Conversions between the client's types and the generated protocol messages.</summary>
internal static class ProtocolMapping
{
    public static StreamIdentifier ToStreamIdentifier(string streamName) => new() { StreamName = ByteString.CopyFromUtf8(streamName) };

    public static AppendReq.Types.Options ToAppendOptions(string streamName, StreamState expected)
    {
        var options = new AppendReq.Types.Options { StreamIdentifier = ToStreamIdentifier(streamName) };
        if (expected == StreamState.Any) options.Any = new Empty();
        else if (expected == StreamState.NoStream) options.NoStream = new Empty();
        else if (expected == StreamState.StreamExists) options.StreamExists = new Empty();
        else options.Revision = (ulong)expected.ToInt64();
        return options;
    }

    public static DeleteReq.Types.Options ToDeleteOptions(string streamName, StreamState expected)
    {
        var options = new DeleteReq.Types.Options { StreamIdentifier = ToStreamIdentifier(streamName) };
        if (expected == StreamState.Any) options.Any = new Empty();
        else if (expected == StreamState.NoStream) options.NoStream = new Empty();
        else if (expected == StreamState.StreamExists) options.StreamExists = new Empty();
        else options.Revision = (ulong)expected.ToInt64();
        return options;
    }

    public static TombstoneReq.Types.Options ToTombstoneOptions(string streamName, StreamState expected)
    {
        var options = new TombstoneReq.Types.Options { StreamIdentifier = ToStreamIdentifier(streamName) };
        if (expected == StreamState.Any) options.Any = new Empty();
        else if (expected == StreamState.NoStream) options.NoStream = new Empty();
        else if (expected == StreamState.StreamExists) options.StreamExists = new Empty();
        else options.Revision = (ulong)expected.ToInt64();
        return options;
    }

    public static AppendReq.Types.ProposedMessage ToProposedMessage(EventData data, ActivityContext traceContext) => new()
    {
        Id = data.EventId.ToDto(),
        Metadata = { [EventRecord.TypeKey] = data.Type, [EventRecord.ContentTypeKey] = data.ContentType },
        CustomMetadata = UnsafeByteOperations.UnsafeWrap(TraceContextMetadata.Inject(data.Metadata, traceContext)),
        Data = UnsafeByteOperations.UnsafeWrap(data.Data),
    };

    public static ReadReq.Types.Options.Types.FilterOptions ToFilterOptions(IEventFilter filter, uint checkpointInterval)
    {
        var expression = new ReadReq.Types.Options.Types.FilterOptions.Types.Expression();
        if (filter.Regex is { Length: > 0 } regex)
        {
            expression.Regex = regex;
        }

        expression.Prefix.AddRange(filter.Prefixes);
        var options = new ReadReq.Types.Options.Types.FilterOptions { CheckpointIntervalMultiplier = checkpointInterval };
        switch (filter)
        {
            case StreamFilter:
                options.StreamIdentifier = expression;
                break;
            case EventTypeFilter:
                options.EventType = expression;
                break;
            default:
                throw new ArgumentException($"Unsupported filter {filter.GetType()}: use StreamFilter or EventTypeFilter.", nameof(filter));
        }

        if (filter.MaxSearchWindow is { } max) options.Max = max;
        else options.Count = new Empty();
        return options;
    }

    public static ResolvedEvent ToResolvedEvent(ReadResp.Types.ReadEvent readEvent) => new(
        ToEventRecord(readEvent.Event),
        readEvent.Link is null ? null : ToEventRecord(readEvent.Link),
        readEvent.PositionCase == ReadResp.Types.ReadEvent.PositionOneofCase.CommitPosition ? readEvent.CommitPosition : null);

    private static EventRecord ToEventRecord(ReadResp.Types.ReadEvent.Types.RecordedEvent recorded) => new(
        recorded.StreamIdentifier?.StreamName.ToStringUtf8() ?? "",
        Uuid.FromDto(recorded.Id),
        new StreamPosition(recorded.StreamRevision),
        Position.FromWire(recorded.CommitPosition, recorded.PreparePosition),
        recorded.Metadata,
        recorded.Data.Memory,
        recorded.CustomMetadata.Memory);
}
