using EventDriven.KurrentDB.Protocol;
using EventDriven.KurrentDB.Protocol.Streams;
using static EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types;
using static EventDriven.KurrentDB.Protocol.Streams.ReadReq.Types.Options.Types;

namespace EventDriven.KurrentDB.Client;

public sealed partial class KurrentDBClient
{
    /// <summary>Subscribes to <c>$all</c> from <paramref name="start"/> (exclusive), catching up then staying live.</summary>
    public StreamSubscriptionResult SubscribeToAll(
        FromAll start, bool resolveLinkTos = false, SubscriptionFilterOptions? filterOptions = null, CancellationToken cancellationToken = default) =>
        SubscribeToAll(start, resolveLinkTos, filterOptions, traceDeliveries: !_settings.DisableTracing, cancellationToken);

    /// <summary>Subscribes to one stream from <paramref name="start"/> (exclusive), catching up then staying live.</summary>
    public StreamSubscriptionResult SubscribeToStream(
        string streamName, FromStream start, bool resolveLinkTos = false, CancellationToken cancellationToken = default) =>
        SubscribeToStream(streamName, start, resolveLinkTos, traceDeliveries: !_settings.DisableTracing, cancellationToken);

    /// <summary>
    /// Subscribes to <c>$all</c> and calls <paramref name="eventAppeared"/> for each event, one at a time, each inside a
    /// consumer span parented by the event's trace context. Completes once the server confirmed the subscription.
    /// </summary>
    public Task<StreamSubscription> SubscribeToAllAsync(
        FromAll start,
        Func<StreamSubscription, ResolvedEvent, CancellationToken, Task> eventAppeared,
        bool resolveLinkTos = false,
        Action<StreamSubscription, SubscriptionDroppedReason, Exception?>? subscriptionDropped = null,
        SubscriptionFilterOptions? filterOptions = null,
        CancellationToken cancellationToken = default) =>
        StreamSubscription.StartAsync(
            SubscribeToAll(start, resolveLinkTos, filterOptions, traceDeliveries: false, cancellationToken),
            new StreamSubscription.Handlers(eventAppeared, filterOptions?.CheckpointReached, subscriptionDropped),
            _settings.DisableTracing ? null : _settings.Address,
            _logger,
            cancellationToken);

    /// <summary>As <see cref="SubscribeToAllAsync"/>, for one stream.</summary>
    public Task<StreamSubscription> SubscribeToStreamAsync(
        string streamName,
        FromStream start,
        Func<StreamSubscription, ResolvedEvent, CancellationToken, Task> eventAppeared,
        bool resolveLinkTos = false,
        Action<StreamSubscription, SubscriptionDroppedReason, Exception?>? subscriptionDropped = null,
        CancellationToken cancellationToken = default) =>
        StreamSubscription.StartAsync(
            SubscribeToStream(streamName, start, resolveLinkTos, traceDeliveries: false, cancellationToken),
            new StreamSubscription.Handlers(eventAppeared, null, subscriptionDropped),
            _settings.DisableTracing ? null : _settings.Address,
            _logger,
            cancellationToken);

    private StreamSubscriptionResult SubscribeToAll(
        FromAll start, bool resolveLinkTos, SubscriptionFilterOptions? filterOptions, bool traceDeliveries, CancellationToken cancellationToken)
    {
        var all = new AllOptions();
        if (start == FromAll.Start) all.Start = new Empty();
        else if (start == FromAll.End) all.End = new Empty();
        else all.Position = new Options.Types.Position { CommitPosition = start.Position!.Value.CommitPosition, PreparePosition = start.Position.Value.PreparePosition };
        var options = SubscriptionOptions(resolveLinkTos);
        options.All = all;
        if (filterOptions is null) options.NoFilter = new Empty();
        else options.Filter = ProtocolMapping.ToFilterOptions(filterOptions.Filter, filterOptions.CheckpointInterval);
        return Subscribe(options, AllStream, traceDeliveries, cancellationToken);
    }

    private StreamSubscriptionResult SubscribeToStream(
        string streamName, FromStream start, bool resolveLinkTos, bool traceDeliveries, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        var stream = new StreamOptions { StreamIdentifier = ProtocolMapping.ToStreamIdentifier(streamName) };
        if (start == FromStream.Start) stream.Start = new Empty();
        else if (start == FromStream.End) stream.End = new Empty();
        else stream.Revision = start.Position!.Value.ToUInt64();
        var options = SubscriptionOptions(resolveLinkTos);
        options.Stream = stream;
        options.NoFilter = new Empty();
        return Subscribe(options, streamName, traceDeliveries, cancellationToken);
    }

    // As the official clients: no control option, forwards, events' ids as strings.
    private static Options SubscriptionOptions(bool resolveLinkTos) => new()
    {
        ReadDirection = Options.Types.ReadDirection.Forwards,
        ResolveLinks = resolveLinkTos,
        Subscription = new Options.Types.SubscriptionOptions(),
        UuidOption = new UUIDOption { String = new Empty() },
    };

    // Subscriptions live until disposed: no deadline.
    private StreamSubscriptionResult Subscribe(Options options, string target, bool traceDeliveries, CancellationToken cancellationToken) => new(
        token => _streams.Read(new ReadReq { Options = options }, CreateCallOptions(deadline: null, token, unbounded: true)),
        target,
        _settings.Address,
        traceDeliveries,
        cancellationToken);
}
