using System.Globalization;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// The state a write expects its stream to be in: any, absent, present, or at an exact revision. The values follow the
/// server's int64 convention (-2 any, -1 no stream, -4 exists, otherwise the revision), which its error trailers use.
/// </summary>
public readonly struct StreamState : IEquatable<StreamState>
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;
    private const long StreamExistsValue = -4;

    private readonly long _value;

    private StreamState(long value) => _value = value;

    /// <summary>Write whatever the stream's state.</summary>
    public static readonly StreamState Any = new(AnyValue);

    /// <summary>The stream must not exist yet.</summary>
    public static readonly StreamState NoStream = new(NoStreamValue);

    /// <summary>The stream must exist (have at least one event).</summary>
    public static readonly StreamState StreamExists = new(StreamExistsValue);

    /// <summary>The stream's last event must have exactly this event number.</summary>
    public static StreamState StreamRevision(ulong revision) =>
        revision <= long.MaxValue
            ? new StreamState((long)revision)
            : throw new ArgumentOutOfRangeException(nameof(revision), revision, "A stream revision is at most long.MaxValue.");

    /// <summary>The exact revision expected, or <see cref="Client.StreamRevision.None"/> for the symbolic states.</summary>
    public bool HasPosition => _value >= 0;

    /// <summary>The server's int64 form: -2 any, -1 no stream, -4 exists, otherwise the revision.</summary>
    public long ToInt64() => _value;

    public static StreamState FromInt64(long value) => value switch
    {
        AnyValue => Any,
        NoStreamValue => NoStream,
        StreamExistsValue => StreamExists,
        >= 0 => new StreamState(value),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Not a stream state: expected -2, -1, -4 or a revision."),
    };

    public static StreamState FromStreamRevision(Client.StreamRevision revision) =>
        revision == Client.StreamRevision.None ? NoStream : StreamRevision(revision.ToUInt64());

    public Client.StreamRevision ToStreamRevision() =>
        HasPosition ? new Client.StreamRevision((ulong)_value) : Client.StreamRevision.None;

    public bool Equals(StreamState other) => _value == other._value;

    public override bool Equals(object? obj) => obj is StreamState other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public override string ToString() => _value switch
    {
        AnyValue => nameof(Any),
        NoStreamValue => nameof(NoStream),
        StreamExistsValue => nameof(StreamExists),
        _ => _value.ToString(CultureInfo.InvariantCulture),
    };

    public static bool operator ==(StreamState left, StreamState right) => left.Equals(right);

    public static bool operator !=(StreamState left, StreamState right) => !left.Equals(right);
}
