namespace EventDriven.KurrentDB.Client;

/// <summary>An event read from a stream or <c>$all</c>, with the link event that pointed to it when links were resolved.</summary>
public readonly struct ResolvedEvent
{
    public ResolvedEvent(EventRecord @event, EventRecord? link, ulong? commitPosition)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Event = @event;
        Link = link;
        OriginalPosition = commitPosition is { } commit
            ? Position.FromWire(commit, (link ?? @event).Position.PreparePosition)
            : null;
    }

    /// <summary>The event itself (the target, when <see cref="Link"/> was resolved).</summary>
    public EventRecord Event { get; }

    /// <summary>The link event that was read, when links were resolved; otherwise null.</summary>
    public EventRecord? Link { get; }

    /// <summary>The record actually read from the stream: the link if there is one, else the event.</summary>
    public EventRecord OriginalEvent => Link ?? Event;

    public string OriginalStreamId => OriginalEvent.EventStreamId;

    public StreamPosition OriginalEventNumber => OriginalEvent.EventNumber;

    /// <summary>The position in <c>$all</c> of the record read, when the read was of <c>$all</c> (or the server knew it).</summary>
    public Position? OriginalPosition { get; }

    public bool IsResolved => Link is not null;

    public override string ToString() => OriginalEvent.ToString();
}
