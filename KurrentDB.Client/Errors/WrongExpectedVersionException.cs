namespace EventDriven.KurrentDB.Client;

/// <summary>
/// A write's expected stream state did not hold: another writer got there first (optimistic concurrency), or the
/// stream exists / does not exist contrary to the expectation.
/// </summary>
public sealed class WrongExpectedVersionException(
    string streamName, StreamState expectedStreamState, StreamState actualStreamState, Exception? innerException = null)
    : Exception(
        $"Append failed due to WrongExpectedVersion. Stream: {streamName}, Expected state: {expectedStreamState}, Actual state: {actualStreamState}",
        innerException)
{
    public string StreamName { get; } = streamName;

    public StreamState ExpectedStreamState { get; } = expectedStreamState;

    /// <summary><see cref="StreamState.NoStream"/> when the stream does not exist, otherwise its revision.</summary>
    public StreamState ActualStreamState { get; } = actualStreamState;

    /// <summary>The exact revision expected, or <see cref="StreamRevision.None"/> for a symbolic expectation.</summary>
    public StreamRevision ExpectedStreamRevision => ExpectedStreamState.ToStreamRevision();

    /// <summary>The stream's actual revision, or <see cref="StreamRevision.None"/> when it does not exist.</summary>
    public StreamRevision ActualStreamRevision => ActualStreamState.ToStreamRevision();
}
