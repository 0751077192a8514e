namespace EventDriven.KurrentDB.Client;

/// <summary>Where a subscription to a stream starts: the beginning, the end (live only), or after an event number.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The official client's name; keeping it makes a swap a small change.")]
public readonly struct FromStream : IEquatable<FromStream>
{
    private readonly StreamPosition? _position;
    private readonly bool _end;

    private FromStream(StreamPosition? position, bool end)
    {
        _position = position;
        _end = end;
    }

    public static readonly FromStream Start = new(null, false);

    public static readonly FromStream End = new(null, true);

    /// <summary>The events after <paramref name="position"/>, which is exclusive (typically the last event handled).</summary>
    public static FromStream After(StreamPosition position) =>
        position == StreamPosition.End ? End : new FromStream(position, false);

    /// <summary>The event number after which the subscription starts; null for <see cref="Start"/> and <see cref="End"/>.</summary>
    public StreamPosition? Position => _position;

    internal bool IsEnd => _end;

    public bool Equals(FromStream other) => _position == other._position && _end == other._end;

    public override bool Equals(object? obj) => obj is FromStream other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_position, _end);

    public override string ToString() => _end ? "End" : _position?.ToString() ?? "Start";

    public static bool operator ==(FromStream left, FromStream right) => left.Equals(right);

    public static bool operator !=(FromStream left, FromStream right) => !left.Equals(right);
}
