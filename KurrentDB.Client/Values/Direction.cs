namespace EventDriven.KurrentDB.Client;

/// <summary>The direction of a read.</summary>
public enum Direction
{
    Forwards,
    Backwards,
}
