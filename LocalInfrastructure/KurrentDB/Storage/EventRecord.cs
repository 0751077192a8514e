namespace EventDriven.LocalKurrentDB.Storage;

/// <summary>An event as stored: where it is in its stream and in the log (<c>$all</c>), and what it carries.</summary>
public sealed record EventRecord(
    string Stream,
    ulong Revision,
    Guid EventId,
    string EventType,
    string ContentType,
    long CreatedTicks,
    ReadOnlyMemory<byte> CustomMetadata,
    ReadOnlyMemory<byte> Data)
{
    /// <summary>The record's offset in the log file: both its commit and its prepare position in <c>$all</c>.</summary>
    public ulong Position { get; init; }
}

/// <summary>The event as a client proposes it.</summary>
public sealed record ProposedEvent(Guid EventId, string EventType, string ContentType, ReadOnlyMemory<byte> CustomMetadata, ReadOnlyMemory<byte> Data);

/// <summary>What an append or delete expects the stream's state to be.</summary>
public abstract record ExpectedState
{
    public sealed record Any : ExpectedState;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "KurrentDB's name for the state.")]
    public sealed record NoStream : ExpectedState;

    public sealed record StreamExists : ExpectedState;

    public sealed record Revision(ulong Value) : ExpectedState;
}

/// <summary>A stream's current state as an append or a wrong-version answer reports it.</summary>
public readonly record struct StreamRevisionState(ulong? Revision)
{
    public static readonly StreamRevisionState NoStream = new(null);
}

public abstract record AppendOutcome
{
    /// <summary>Written (or already there); <paramref name="CurrentRevision"/> is null for an empty append to no stream.</summary>
    public sealed record Success(ulong? CurrentRevision, ulong Position) : AppendOutcome;

    public sealed record WrongExpectedVersion(StreamRevisionState Current, ExpectedState Expected) : AppendOutcome;

    public sealed record StreamDeleted(string Stream) : AppendOutcome;
}

public abstract record DeleteOutcome
{
    public sealed record Success(ulong Position) : DeleteOutcome;

    public sealed record WrongExpectedVersion(StreamRevisionState Current, ExpectedState Expected) : DeleteOutcome;

    public sealed record StreamDeleted(string Stream) : DeleteOutcome;
}
