using System.Runtime.CompilerServices;
using EventDriven.KurrentDB.Protocol.Streams;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// The events of a stream read, enumerable once. Enumerating a stream that does not exist throws
/// <see cref="StreamNotFoundException"/>; await <see cref="ReadState"/> first to check without an exception.
/// </summary>
public sealed class ReadStreamResult : IAsyncEnumerable<ResolvedEvent>
{
    private readonly ReadCall _call;
    private Task<ReadState>? _readState;

    internal ReadStreamResult(ReadCall call, Direction direction, string streamName)
    {
        _call = call;
        Direction = direction;
        StreamName = streamName;
    }

    public Direction Direction { get; }

    public string StreamName { get; }

    /// <summary>Whether the stream exists; starts the read if enumeration has not.</summary>
    public Task<ReadState> ReadState => _readState ??= GetReadStateAsync();

    public IAsyncEnumerator<ResolvedEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async Task<ReadState> GetReadStateAsync() =>
        (await _call.FirstAsync().ConfigureAwait(false))?.ContentCase == ReadResp.ContentOneofCase.StreamNotFound
            ? Client.ReadState.StreamNotFound
            : Client.ReadState.Ok;

    private async IAsyncEnumerable<ResolvedEvent> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in _call.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (message.ContentCase == ReadResp.ContentOneofCase.StreamNotFound)
            {
                throw new StreamNotFoundException(StreamName);
            }

            yield return ProtocolMapping.ToResolvedEvent(message.Event);
        }
    }
}
