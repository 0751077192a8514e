namespace EventDriven.KurrentDB.Client;

/// <summary>The outcome of a successful append.</summary>
public interface IWriteResult
{
    /// <summary>The stream's revision after the append: expect it on the next write for optimistic concurrency.</summary>
    StreamRevision NextExpectedStreamRevision { get; }

    /// <summary>The position in <c>$all</c> of the append (<see cref="Position.End"/> when the server gave none).</summary>
    Position LogPosition { get; }
}
