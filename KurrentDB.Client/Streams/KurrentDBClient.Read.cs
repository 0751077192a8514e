using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using static EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types;
using static EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types.Options.Types;

namespace EventDriven.KurrentDB.Client;

public sealed partial class KurrentDBClient
{
    private const string AllStream = "$all";

    /// <summary>Reads up to <paramref name="maxCount"/> events of a stream from <paramref name="revision"/> (inclusive).</summary>
    public ReadStreamResult ReadStreamAsync(
        Direction direction,
        string streamName,
        StreamPosition revision,
        long maxCount = long.MaxValue,
        bool resolveLinkTos = false,
        TimeSpan? deadline = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var stream = new StreamOptions { StreamIdentifier = ProtocolMapping.ToStreamIdentifier(streamName) };
        if (revision == StreamPosition.Start) stream.Start = new Empty();
        else if (revision == StreamPosition.End) stream.End = new Empty();
        else stream.Revision = revision.ToUInt64();
        var options = ReadOptions(direction, maxCount, resolveLinkTos);
        options.Stream = stream;
        options.NoFilter = new Empty();
        return new ReadStreamResult(StartRead(options, streamName, deadline, cancellationToken), direction, streamName);
    }

    /// <summary>Reads up to <paramref name="maxCount"/> events of <c>$all</c> from <paramref name="position"/>, optionally filtered.</summary>
    public ReadAllStreamResult ReadAllAsync(
        Direction direction,
        Position position,
        long maxCount = long.MaxValue,
        bool resolveLinkTos = false,
        IEventFilter? filter = null,
        TimeSpan? deadline = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var all = new AllOptions();
        if (position == Position.Start) all.Start = new Empty();
        else if (position == Position.End) all.End = new Empty();
        else all.Position = new Options.Types.Position { CommitPosition = position.CommitPosition, PreparePosition = position.PreparePosition };
        var options = ReadOptions(direction, maxCount, resolveLinkTos);
        options.All = all;
        if (filter is null) options.NoFilter = new Empty();
        else options.Filter = ProtocolMapping.ToFilterOptions(filter, checkpointInterval: 1);
        return new ReadAllStreamResult(StartRead(options, AllStream, deadline, cancellationToken), direction);
    }

    private static Options ReadOptions(Direction direction, long maxCount, bool resolveLinkTos) => new()
    {
        ReadDirection = direction == Direction.Backwards ? Options.Types.ReadDirection.Backwards : Options.Types.ReadDirection.Forwards,
        ResolveLinks = resolveLinkTos,
        Count = (ulong)maxCount,
        UuidOption = new UUIDOption { String = new Empty() },
        ControlOption = new ControlOption { Compatibility = 1 },
    };

    private ReadCall StartRead(Options options, string streamName, TimeSpan? deadline, CancellationToken cancellationToken) => new(
        () => _streams.Read(new ReadReq { Options = options }, CreateCallOptions(deadline, cancellationToken)),
        () => StartClientSpan("streams.read", streamName),
        streamName,
        cancellationToken);
}
