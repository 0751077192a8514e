namespace EventDriven.KurrentDB.Client;

/// <summary>A position in the global log (<c>$all</c>): the commit and prepare positions of an event.</summary>
public readonly struct Position : IEquatable<Position>, IComparable<Position>
{
    public static readonly Position Start = new(0, 0);

    /// <summary>After the last event; as a read start it means "from the end".</summary>
    public static readonly Position End = new(ulong.MaxValue, ulong.MaxValue);

    public Position(ulong commitPosition, ulong preparePosition)
    {
        if (commitPosition < preparePosition)
        {
            throw new ArgumentOutOfRangeException(nameof(commitPosition), commitPosition, "The commit position cannot be less than the prepare position.");
        }

        CommitPosition = commitPosition;
        PreparePosition = preparePosition;
    }

    private Position(ulong commitPosition, ulong preparePosition, bool _)
    {
        CommitPosition = commitPosition;
        PreparePosition = preparePosition;
    }

    public ulong CommitPosition { get; }

    public ulong PreparePosition { get; }

    // What a server sends is taken as given: refusing it would lose the event it belongs to.
    internal static Position FromWire(ulong commitPosition, ulong preparePosition) => new(commitPosition, preparePosition, false);

    public bool Equals(Position other) => CommitPosition == other.CommitPosition && PreparePosition == other.PreparePosition;

    public override bool Equals(object? obj) => obj is Position other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(CommitPosition, PreparePosition);

    public int CompareTo(Position other) =>
        CommitPosition != other.CommitPosition
            ? CommitPosition.CompareTo(other.CommitPosition)
            : PreparePosition.CompareTo(other.PreparePosition);

    public override string ToString() => $"C:{CommitPosition}/P:{PreparePosition}";

    public static bool operator ==(Position left, Position right) => left.Equals(right);

    public static bool operator !=(Position left, Position right) => !left.Equals(right);

    public static bool operator <(Position left, Position right) => left.CompareTo(right) < 0;

    public static bool operator >(Position left, Position right) => left.CompareTo(right) > 0;

    public static bool operator <=(Position left, Position right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Position left, Position right) => left.CompareTo(right) >= 0;
}
