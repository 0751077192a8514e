namespace EventDriven.KurrentDB.Client;

/// <summary>The position of an event within its stream (its event number), or <see cref="End"/>.</summary>
public readonly struct StreamPosition : IEquatable<StreamPosition>, IComparable<StreamPosition>
{
    private readonly ulong _value;

    public static readonly StreamPosition Start = new(0);

    /// <summary>After the last event; as a read start it means "from the end".</summary>
    public static readonly StreamPosition End = new(ulong.MaxValue);

    public StreamPosition(ulong value)
    {
        // Values above long.MaxValue other than End cannot exist on the server, which counts in int64.
        if (value > long.MaxValue && value != ulong.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A stream position is at most long.MaxValue, or End.");
        }

        _value = value;
    }

    /// <summary>-1 is <see cref="End"/>, as in the server's int64 convention.</summary>
    public static StreamPosition FromInt64(long value) => value switch
    {
        -1 => End,
        < 0 => throw new ArgumentOutOfRangeException(nameof(value), value, "A stream position is non-negative, or -1 for End."),
        _ => new StreamPosition((ulong)value),
    };

    public static StreamPosition FromStreamRevision(StreamRevision revision) =>
        revision == StreamRevision.None ? End : new StreamPosition(revision.ToUInt64());

    public ulong ToUInt64() => _value;

    public long ToInt64() => this == End ? -1 : (long)_value;

    public StreamPosition Next() => this == End ? End : new StreamPosition(_value + 1);

    public static implicit operator ulong(StreamPosition position) => position._value;

    public static implicit operator StreamPosition(ulong value) => new(value);

    public bool Equals(StreamPosition other) => _value == other._value;

    public override bool Equals(object? obj) => obj is StreamPosition other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public int CompareTo(StreamPosition other) => _value.CompareTo(other._value);

    public override string ToString() => this == End ? "End" : _value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool operator ==(StreamPosition left, StreamPosition right) => left.Equals(right);

    public static bool operator !=(StreamPosition left, StreamPosition right) => !left.Equals(right);

    public static bool operator <(StreamPosition left, StreamPosition right) => left._value < right._value;

    public static bool operator >(StreamPosition left, StreamPosition right) => left._value > right._value;

    public static bool operator <=(StreamPosition left, StreamPosition right) => left._value <= right._value;

    public static bool operator >=(StreamPosition left, StreamPosition right) => left._value >= right._value;
}
