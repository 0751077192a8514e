using System.Runtime.CompilerServices;
using EventDriven.KurrentDB.Protocol.Streams;

namespace EventDriven.KurrentDB.Client;

/// <summary>The events of a read of <c>$all</c>, enumerable once.</summary>
public sealed class ReadAllStreamResult : IAsyncEnumerable<ResolvedEvent>
{
    private readonly ReadCall _call;

    internal ReadAllStreamResult(ReadCall call, Direction direction)
    {
        _call = call;
        Direction = direction;
    }

    public Direction Direction { get; }

    public IAsyncEnumerator<ResolvedEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private async IAsyncEnumerable<ResolvedEvent> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in _call.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (message.ContentCase == ReadResp.ContentOneofCase.Event)
            {
                yield return ProtocolMapping.ToResolvedEvent(message.Event);
            }
        }
    }
}
