namespace EventDriven.KurrentDB.Client;

/// <summary>Where a subscription to <c>$all</c> starts: the beginning, the end (live only), or after a position.</summary>
public readonly struct FromAll : IEquatable<FromAll>
{
    private readonly Client.Position? _position;
    private readonly bool _end;

    private FromAll(Client.Position? position, bool end)
    {
        _position = position;
        _end = end;
    }

    public static readonly FromAll Start = new(null, false);

    public static readonly FromAll End = new(null, true);

    /// <summary>
    /// The events after <paramref name="position"/>, which is exclusive (typically a stored checkpoint).
    /// <see cref="Client.Position.Start"/> means <see cref="Start"/>, so that a first event at position 0 is not skipped.
    /// </summary>
    public static FromAll After(Client.Position position) =>
        position == Client.Position.End ? End : position == Client.Position.Start ? Start : new FromAll(position, false);

    /// <summary>The position after which the subscription starts; null for <see cref="Start"/> and <see cref="End"/>.</summary>
    public Client.Position? Position => _position;

    internal bool IsEnd => _end;

    public bool Equals(FromAll other) => _position == other._position && _end == other._end;

    public override bool Equals(object? obj) => obj is FromAll other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_position, _end);

    public override string ToString() => _end ? "End" : _position?.ToString() ?? "Start";

    public static bool operator ==(FromAll left, FromAll right) => left.Equals(right);

    public static bool operator !=(FromAll left, FromAll right) => !left.Equals(right);
}
