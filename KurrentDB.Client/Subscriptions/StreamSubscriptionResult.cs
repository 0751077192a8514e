using System.Runtime.CompilerServices;
using EventDriven.KurrentDB.Protocol.Streams;
using Grpc.Core;

namespace EventDriven.KurrentDB.Client;

/// <summary>
/// A live subscription as a sequence of <see cref="StreamMessage"/>s: confirmation, events, checkpoints, caught-up.
/// The call starts when this is created and ends when it is disposed; <see cref="Messages"/> is enumerable once.
/// </summary>
public sealed class StreamSubscriptionResult : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource _lifetime;
    private readonly AsyncServerStreamingCall<ReadResp> _call;
    private readonly string _target;
    private readonly Uri _server;
    private readonly bool _traceDeliveries;
    private int _enumerated;
    private int _disposedOnce;

    internal StreamSubscriptionResult(
        Func<CancellationToken, AsyncServerStreamingCall<ReadResp>> start, string target, Uri server, bool traceDeliveries, CancellationToken cancellationToken)
    {
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _target = target;
        _server = server;
        _traceDeliveries = traceDeliveries;
        _call = start(_lifetime.Token);
    }

    /// <summary>The server's id for this subscription, once it confirmed it.</summary>
    public string? SubscriptionId { get; private set; }

    /// <summary>The messages in the order the server sent them; ends quietly when this result is disposed.</summary>
    public IAsyncEnumerable<StreamMessage> Messages =>
        Interlocked.Exchange(ref _enumerated, 1) == 0
            ? ReadMessagesAsync(CancellationToken.None)
            : throw new InvalidOperationException("A subscription's messages can be enumerated only once.");

    internal string Target => _target;

    internal bool IsDisposed => Volatile.Read(ref _disposedOnce) != 0 || _lifetime.IsCancellationRequested;

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposedOnce, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        _call.Dispose();
        _lifetime.Dispose();
    }

    private async IAsyncEnumerable<StreamMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!TryGetLifetimeToken(out var lifetimeToken))
        {
            yield break;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetimeToken);
        while (await MoveNextAsync(linked.Token).ConfigureAwait(false))
        {
            var message = _call.ResponseStream.Current;
            switch (message.ContentCase)
            {
                case ReadResp.ContentOneofCase.Confirmation:
                    SubscriptionId = message.Confirmation.SubscriptionId;
                    yield return new StreamMessage.SubscriptionConfirmation(SubscriptionId);
                    break;
                case ReadResp.ContentOneofCase.Event:
                    var resolved = ProtocolMapping.ToResolvedEvent(message.Event);
                    if (_traceDeliveries)
                    {
                        // Marks the delivery in the writer's trace; the handler's own span is KurrentDBTelemetry.StartProcess.
                        KurrentDBTelemetry.StartDelivery(resolved, SubscriptionId, _server)?.Dispose();
                    }

                    yield return new StreamMessage.Event(resolved);
                    break;
                case ReadResp.ContentOneofCase.Checkpoint:
                    yield return new StreamMessage.AllStreamCheckpointReached(
                        Position.FromWire(message.Checkpoint.CommitPosition, message.Checkpoint.PreparePosition));
                    break;
                case ReadResp.ContentOneofCase.CaughtUp:
                    yield return StreamMessage.CaughtUp.Instance;
                    break;
                case ReadResp.ContentOneofCase.FellBehind:
                    yield return StreamMessage.FellBehind.Instance;
                    break;
                case ReadResp.ContentOneofCase.StreamNotFound:
                    yield return StreamMessage.NotFound.Instance;
                    break;
            }
        }
    }

    private bool TryGetLifetimeToken(out CancellationToken token)
    {
        try
        {
            token = _lifetime.Token;
            return true;
        }
        catch (ObjectDisposedException)
        {
            token = default;
            return false;
        }
    }

    private async Task<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (IsDisposed)
        {
            return false;
        }
        catch (RpcException exception) when (IsDisposed && exception.StatusCode == StatusCode.Cancelled)
        {
            return false;
        }
        catch (RpcException exception) when (RpcErrors.Map(exception, _target) is { } mapped)
        {
            throw mapped;
        }
    }
}
