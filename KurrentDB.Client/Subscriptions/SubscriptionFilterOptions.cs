namespace EventDriven.KurrentDB.Client;

/// <summary>
/// A filter for a subscription to <c>$all</c>, and how often the server reports progress through filtered-out events
/// (every <paramref name="checkpointInterval"/> search windows) so that a checkpoint can be stored.
/// </summary>
public sealed class SubscriptionFilterOptions(
    IEventFilter filter,
    uint checkpointInterval = 1,
    Func<StreamSubscription, Position, CancellationToken, Task>? checkpointReached = null)
{
    public IEventFilter Filter { get; } = filter ?? throw new ArgumentNullException(nameof(filter));

    public uint CheckpointInterval { get; } = checkpointInterval > 0
        ? checkpointInterval
        : throw new ArgumentOutOfRangeException(nameof(checkpointInterval), "The checkpoint interval must be at least 1.");

    /// <summary>Called by callback-style subscriptions when the server reports a checkpoint.</summary>
    public Func<StreamSubscription, Position, CancellationToken, Task>? CheckpointReached { get; } = checkpointReached;
}
