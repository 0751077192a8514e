namespace EventDriven.KurrentDB.Client;

/// <summary>The revision of a stream: the event number of its last event, or <see cref="None"/> when it has none.</summary>
public readonly struct StreamRevision : IEquatable<StreamRevision>, IComparable<StreamRevision>
{
    private readonly ulong _value;

    /// <summary>No revision: the stream does not exist (or is empty).</summary>
    public static readonly StreamRevision None = new(ulong.MaxValue);

    public StreamRevision(ulong value)
    {
        if (value > long.MaxValue && value != ulong.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A stream revision is at most long.MaxValue, or None.");
        }

        _value = value;
    }

    /// <summary>-1 is <see cref="None"/>, as in the server's int64 convention.</summary>
    public static StreamRevision FromInt64(long value) => value switch
    {
        -1 => None,
        < 0 => throw new ArgumentOutOfRangeException(nameof(value), value, "A stream revision is non-negative, or -1 for None."),
        _ => new StreamRevision((ulong)value),
    };

    public static StreamRevision FromStreamPosition(StreamPosition position) =>
        position == StreamPosition.End ? None : new StreamRevision(position.ToUInt64());

    public ulong ToUInt64() => _value;

    public long ToInt64() => this == None ? -1 : (long)_value;

    public StreamRevision Next() => this == None ? new StreamRevision(0) : new StreamRevision(_value + 1);

    public static implicit operator ulong(StreamRevision revision) => revision._value;

    public static implicit operator StreamRevision(ulong value) => new(value);

    public bool Equals(StreamRevision other) => _value == other._value;

    public override bool Equals(object? obj) => obj is StreamRevision other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public int CompareTo(StreamRevision other) => _value.CompareTo(other._value);

    public override string ToString() => this == None ? "None" : _value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool operator ==(StreamRevision left, StreamRevision right) => left.Equals(right);

    public static bool operator !=(StreamRevision left, StreamRevision right) => !left.Equals(right);

    public static bool operator <(StreamRevision left, StreamRevision right) => left._value < right._value;

    public static bool operator >(StreamRevision left, StreamRevision right) => left._value > right._value;

    public static bool operator <=(StreamRevision left, StreamRevision right) => left._value <= right._value;

    public static bool operator >=(StreamRevision left, StreamRevision right) => left._value >= right._value;
}
